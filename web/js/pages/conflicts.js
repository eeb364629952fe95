// pages/conflicts.js: owns the Conflicts page (leads): one conflict at a time, the votes side by side,
// the record below, and I / E + reason / T to resolve it or send it to a third reviewer.

import { get, post } from '../api.js';
import { fill, h, num } from '../dom.js';
import { setHelpExtra, setKeys } from '../keys.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';
import { STAGES, VOTED, criteriaView, highlighter, recordView } from './screenkit.js';

/** One reviewer's vote; `current` is the protocol version now, to flag a vote made under older criteria. */
function voteCard(v, current) {
  const mark = v.vote === 'include' ? '✓' : v.vote === 'exclude' ? '✗' : '?';
  const older = v.protocol_version !== null && v.protocol_version !== undefined && v.protocol_version < current;
  return h('section', { class: `vote-card ${v.vote}`, dataset: { reviewer: v.reviewer_id, vote: v.vote } },
    h('h2', {}, v.reviewer || `Reviewer ${v.reviewer_id}`),
    h('p', { class: 'verdict' }, h('span', { class: 'letter', 'aria-hidden': 'true' }, mark), ` ${VOTED[v.vote] ?? v.vote}`),
    h('p', {}, h('span', { class: 'muted' }, 'Reason: '), v.reason || h('span', { class: 'muted' }, 'none given')),
    h('p', {}, h('span', { class: 'muted' }, 'Note: '), v.note || h('span', { class: 'muted' }, 'none')),
    older ? h('p', { class: 'older-criteria' }, `Made under the protocol’s version ${v.protocol_version}; it is now at version ${current}.`) : null,
  );
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const stage = params.stage;
  const info = STAGES[stage];
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  if (!info) {
    showProblem(main, 'There is no such screening stage', { detail: 'Conflicts are per stage: title/abstract or full text.' });
    return;
  }
  let review;
  let list;
  let protocol;
  try {
    [review, list, protocol] = await Promise.all([
      loadReview(slug, `Conflicts · ${info.name}`, 'Conflicts'),
      get(`${base}/stages/${stage}/conflicts`),
      get(`${base}/protocol`),
    ]);
  } catch (err) {
    if (alive()) showProblem(main, 'The conflicts could not be loaded', err);
    return;
  }
  if (!alive()) return;
  if (!isLead(review)) {
    showProblem(main, 'Conflicts are for leads', { detail: 'Only a lead of this review resolves conflicts.' });
    return;
  }
  const hl = highlighter(protocol);
  const reasons = protocol.reasons ?? [];
  const fullText = stage === 'full_text';
  let idx = 0;
  let done = 0;
  let busy = false;
  let mode = 'normal';

  const counter = h('p', { class: 'counter', id: 'conflict-counter', 'aria-live': 'polite' });
  const body = h('div', { id: 'conflict-body' });
  const note = h('textarea', { id: 'resolution-note', name: 'note', rows: '1', placeholder: 'Why, for the record (optional)' });
  const reasonPanel = h('div', { class: 'reason-panel', id: 'reason-panel', hidden: true });
  const btn = (id, k, label, run, cls) => h('button', { type: 'button', id, class: cls, onclick: run }, h('kbd', {}, k), ` ${label}`);
  const incBtn = btn('resolve-include', 'I', 'Include', () => resolve('include'), 'vote inc');
  const excBtn = btn('resolve-exclude', 'E', 'Exclude', () => startExclude(), 'vote exc');
  const thirdBtn = btn('third', 'T', 'Third reviewer', () => third());
  const prevBtn = btn('prev', 'K', 'Previous', () => move(-1));
  const nextBtn = btn('next', 'J', 'Next', () => move(1));
  const bar = h('div', { class: 'screen-bar', id: 'conflict-bar' },
    reasonPanel,
    h('div', { class: 'note-panel' }, h('label', { for: 'resolution-note' }, 'Note on the resolution ', h('span', { class: 'muted' }, '(optional · N to write, Esc to leave)')), note),
    h('div', { class: 'bar-row' },
      h('div', { class: 'vote-buttons', role: 'group', 'aria-label': 'Resolve this conflict' }, incBtn, excBtn, thirdBtn),
      h('div', { class: 'move-buttons', role: 'group', 'aria-label': 'Move between conflicts' }, prevBtn, nextBtn)));

  note.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      note.blur();
    }
  });

  const draw = () => {
    if (!alive()) return;
    const total = done + list.length;
    counter.dataset.total = String(total);
    counter.dataset.pending = String(list.length);
    counter.textContent = list.length ? `${num(idx + 1)} of ${num(list.length)}` : total ? `All ${num(total)} resolved` : 'None waiting';
    for (const b of [incBtn, excBtn, thirdBtn]) b.disabled = !list.length;
    prevBtn.disabled = idx <= 0;
    nextBtn.disabled = idx >= list.length - 1;
    const item = list[idx];
    if (!item) {
      fill(body, h('p', { class: 'lede', id: 'no-conflicts' }, `No conflicts are waiting at ${info.lower}. `,
        h('a', { href: `/reviews/${encodeURIComponent(slug)}` }, 'Back to the dashboard'), '.'));
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    const votes = item.votes ?? [];
    fill(body,
      h('div', { class: 'votes-side', id: 'votes', dataset: { item: item.id } }, votes.map((v) => voteCard(v, protocol.version))),
      recordView(item, hl, { heading: 'h2' }),
    );
  };

  const take = (resolvedText) => {
    list.splice(idx, 1);
    done += 1;
    if (idx >= list.length) idx = Math.max(0, list.length - 1);
    note.value = '';
    toast(resolvedText);
    draw();
  };

  async function resolve(decision, reason = null) {
    const item = list[idx];
    if (busy || !item) return;
    busy = true;
    try {
      await post(`${base}/items/${item.id}/resolve`, { decision, reason: reason ?? undefined, note: note.value.trim() || undefined });
      take(`Resolved: ${VOTED[decision].toLowerCase()}${reason ? ` (${reason})` : ''}`);
    } catch (err) {
      toast(err.detail, { problem: true });
    } finally {
      busy = false;
    }
  }

  async function third() {
    const item = list[idx];
    if (busy || !item) return;
    busy = true;
    try {
      await post(`${base}/items/${item.id}/third-reviewer`);
      take('Sent to a third reviewer, whose vote decides');
    } catch (err) {
      toast(err.detail, { problem: true });
    } finally {
      busy = false;
    }
  }

  function startExclude() {
    if (!list.length) return;
    if (!reasons.length) {
      resolve('exclude');
      return;
    }
    mode = 'reason';
    fill(reasonPanel,
      h('p', {}, h('strong', {}, 'Exclude — why? '), h('span', { class: 'muted' }, fullText ? 'Press a number (a reason is needed at full text), or Esc.' : 'Press a number, Enter for no reason, or Esc.')),
      h('ol', { class: 'reason-list' }, reasons.slice(0, 9).map((r, i) => h('li', {},
        h('button', { type: 'button', class: 'reason', onclick: () => pick(i + 1) }, h('kbd', {}, String(i + 1)), ` ${r}`)))),
    );
    reasonPanel.hidden = false;
  }

  function pick(n) {
    if (mode !== 'reason') return;
    if (n === 0 && fullText) {
      toast('At full text an exclusion needs a reason: press its number.', { problem: true });
      return;
    }
    if (n > reasons.length) return;
    cancel();
    resolve('exclude', n ? reasons[n - 1] : null);
  }

  function cancel() {
    mode = 'normal';
    reasonPanel.hidden = true;
    reasonPanel.replaceChildren();
  }

  function move(d) {
    const to = idx + d;
    if (to < 0 || to >= list.length) return;
    cancel();
    idx = to;
    draw();
  }

  const inReason = () => mode === 'reason';
  const notReason = () => mode !== 'reason';
  setKeys([
    { key: 'i', label: 'Resolve: include', when: notReason, run: () => resolve('include') },
    { key: 'e', label: 'Resolve: exclude, then a number for the reason', when: notReason, run: startExclude },
    ...Array.from({ length: 9 }, (_, i) => ({ key: String(i + 1), hidden: true, when: inReason, run: () => pick(i + 1) })),
    { key: 'Enter', hidden: true, when: inReason, run: () => pick(0) },
    { key: 'Escape', hidden: true, when: inReason, run: cancel },
    { key: 't', label: 'Send to a third reviewer', when: notReason, run: third },
    { key: 'n', label: 'Write a note on the resolution', run: () => note.focus() },
    { key: 'j', label: 'Next conflict', run: () => move(1) },
    { key: 'k', label: 'Previous conflict', run: () => move(-1) },
  ]);
  setHelpExtra(() => criteriaView(protocol, stage));

  const other = stage === 'title_abstract' ? 'full_text' : 'title_abstract';
  fill(main,
    h('div', { class: 'dup-bar' },
      h('h1', {}, `Conflicts · ${info.name}`),
      counter),
    h('p', { class: 'muted' }, 'Both reviewers’ votes side by side; your decision settles the record. ',
      h('a', { href: `/reviews/${encodeURIComponent(slug)}/conflicts/${other}` }, `See ${STAGES[other].lower} conflicts`), '.'),
    body,
    bar,
  );
  draw();
  focusHeading(main);
}
