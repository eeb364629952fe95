// pages/duplicates.js: owns the Duplicates page: one possible pair at a time side by side, the evidence, and the M / D / U keys.

import { get, post } from '../api.js';
import { fill, h, num } from '../dom.js';
import { setKeys } from '../keys.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';

const FIELDS = [
  ['title', 'Title'],
  ['authors', 'Authors'],
  ['year', 'Year'],
  ['journal', 'Journal'],
  ['volume', 'Volume'],
  ['issue', 'Issue'],
  ['pages', 'Pages'],
  ['doi', 'DOI'],
  ['pmid', 'PMID'],
  ['abstract', 'Abstract'],
];

const DECISIONS = {
  review: 'possibly the same work',
  related: 'related versions (e.g. preprint and article)',
  duplicate: 'the same work',
  manual: 'judged by a person',
};

function value(record, key) {
  const v = record[key];
  if (Array.isArray(v)) return v.join('; ');
  return v === null || v === undefined ? '' : String(v).trim();
}

/** The evidence in one line: the engine's decision, its score, each field's similarity and note, and any guard. */
function evidenceLine(pair) {
  const ev = pair.evidence ?? {};
  const parts = [h('strong', {}, `Engine: ${DECISIONS[ev.decision ?? pair.decision] ?? ev.decision ?? pair.decision}`), ` (score ${Number(pair.score).toFixed(2)})`];
  for (const f of ev.fields ?? []) {
    parts.push(' · ', `${f.field} ${Number(f.similarity).toFixed(2)}`, f.note ? ` ${f.note}` : '');
  }
  if (ev.guard) parts.push(' · ', h('strong', {}, 'guard: '), ev.guard);
  return h('p', { class: 'evidence', id: 'evidence' }, parts);
}

function compareTable(pair, sourceName) {
  const { a, b } = pair;
  const head = (r, letter) => h('th', { scope: 'col' }, `Record ${letter} · #${r.id}`, h('br'), h('span', { class: 'muted' }, `${sourceName(r.search_source_id)} ${r.source_record_id}`));
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'compare', id: 'compare' },
      h('caption', { class: 'muted' }, 'Fields that differ are marked ≠ and shaded.'),
      h('colgroup', {}, h('col', { class: 'field-col' }), h('col'), h('col')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), head(a, 'A'), head(b, 'B'))),
      h('tbody', {}, FIELDS.map(([key, label]) => {
        const va = value(a, key);
        const vb = value(b, key);
        if (!va && !vb) return null;
        const differs = va !== vb;
        const cell = (v) => h('td', { class: key === 'abstract' ? 'abstract' : null }, v || h('span', { class: 'empty' }, 'missing'));
        return h('tr', { class: differs ? 'differs' : null, dataset: { field: key } },
          h('th', { scope: 'row' }, label, differs ? h('span', { class: 'visually-hidden' }, ' (differs)') : null),
          cell(va), cell(vb));
      })),
    ),
  );
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  let review;
  let pairs;
  let sources;
  try {
    [review, pairs, sources] = await Promise.all([
      loadReview(slug, 'Duplicates'),
      get(`${base}/duplicates`),
      get(`${base}/sources`),
    ]);
  } catch (err) {
    if (alive()) showProblem(main, 'The duplicates could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const names = new Map(sources.map((s) => [s.id, s.name]));
  const sourceName = (id) => names.get(id) ?? `source ${id}`;
  const lead = isLead(review);
  let decided = 0;
  let busy = false;
  const undo = [];

  const counter = h('p', { class: 'counter', id: 'dup-counter', 'aria-live': 'polite' });
  const body = h('div', { id: 'dup-body' });
  const mergeBtn = h('button', { type: 'button', class: 'primary', id: 'merge' }, h('kbd', {}, 'M'), ' Merge');
  const rejectBtn = h('button', { type: 'button', id: 'not-duplicate' }, h('kbd', {}, 'D'), ' Not duplicates');
  const undoBtn = h('button', { type: 'button', id: 'undo' }, h('kbd', {}, 'U'), ' Undo last decision');
  const bar = h('div', { class: 'decide actions', role: 'group', 'aria-label': 'Decide this pair' }, mergeBtn, rejectBtn, undoBtn);

  const draw = () => {
    const total = decided + pairs.length;
    counter.dataset.position = String(pairs.length ? decided + 1 : decided);
    counter.dataset.total = String(total);
    counter.dataset.pending = String(pairs.length);
    counter.textContent = pairs.length
      ? `${num(decided + 1)} of ${num(total)}`
      : total ? `All ${num(total)} judged` : 'None waiting';
    mergeBtn.hidden = !pairs.length;
    rejectBtn.hidden = !pairs.length;
    undoBtn.disabled = !undo.length;
    const pair = pairs[0];
    if (!pair) {
      body.replaceChildren(h('p', { class: 'lede', id: 'dup-empty' }, 'No possible duplicates are waiting for a person. ',
        h('a', { href: `/reviews/${encodeURIComponent(slug)}/records` }, 'See the records'), '.'));
      return;
    }
    body.replaceChildren(evidenceLine(pair), compareTable(pair, sourceName));
  };

  const reload = async () => {
    pairs = await get(`${base}/duplicates`);
  };

  const act = async (kind) => {
    const pair = pairs[0];
    if (busy || !pair) return;
    busy = true;
    try {
      // The record merged away is the higher id of the two records' current roots.
      const rootA = pair.a.merged_into ?? pair.a.id;
      const rootB = pair.b.merged_into ?? pair.b.id;
      await post(`${base}/duplicates/${pair.id}/${kind === 'merge' ? 'merge' : 'not-duplicate'}`);
      decided += 1;
      if (kind === 'merge') {
        if (rootA !== rootB) undo.push({ record: Math.max(rootA, rootB), kept: Math.min(rootA, rootB) });
        toast('Merged · U to undo');
      } else {
        undo.push({ pair: pair.id });
        toast('Marked as not duplicates · U to undo');
      }
      pairs = pairs.slice(1);
      draw();
      await reload();
      if (alive()) draw();
    } catch (err) {
      toast(err.detail, { problem: true });
    } finally {
      busy = false;
    }
  };

  const undoLast = async () => {
    if (busy) return;
    const last = undo.at(-1);
    if (!last) {
      toast('Nothing to undo: only decisions made on this page can be undone here.', { problem: true });
      return;
    }
    busy = true;
    try {
      if (last.pair !== undefined) {
        await post(`${base}/duplicates/${last.pair}/reopen`);
        undo.pop();
        toast('Decision undone · the pair is back in the queue');
      } else {
        await post(`${base}/records/${last.record}/unmerge`);
        undo.pop();
        toast(`Merge undone · record #${last.record} stands on its own again`);
      }
      await reload();
      if (alive()) draw();
    } catch (err) {
      toast(err.detail, { problem: true });
    } finally {
      busy = false;
    }
  };

  mergeBtn.addEventListener('click', () => act('merge'));
  rejectBtn.addEventListener('click', () => act('reject'));
  undoBtn.addEventListener('click', undoLast);
  setKeys([
    { key: 'm', label: 'Merge: the two records are the same work', run: () => act('merge') },
    { key: 'd', label: 'Not duplicates: keep both records', run: () => act('reject') },
    { key: 'u', label: 'Undo the last decision', run: undoLast },
  ]);

  fill(main, [
    h('div', { class: 'dup-bar' }, h('h1', {}, 'Possible duplicates'), counter),
    lead ? null : h('p', { class: 'form-error', role: 'note' }, 'Only a lead of this review can merge or separate records. You can look at the pairs.'),
    body,
    bar,
  ]);
  draw();
  focusHeading(main);
}
