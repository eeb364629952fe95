// pages/records.js: owns the Records page: pages of deduplicated records (or, from a dashboard count, the records of
// one screening stage in one state), a search by words (/), J/K to move, Enter to open one with its abstract and
// merged duplicates.

import { get } from '../api.js';
import { fill, h, num, plural } from '../dom.js';
import { setKeys } from '../keys.js';
import { focusHeading, navigate } from '../router.js';
import { loadReview, showProblem } from './common.js';
import { STAGES, STATE_NAMES, voteText } from './screenkit.js';

const LIMIT = 50;

function doiLink(doi) {
  return h('a', { href: `https://doi.org/${encodeURI(doi)}`, rel: 'noopener noreferrer', target: '_blank' }, `doi:${doi}`, h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'));
}

function authorsShort(authors) {
  if (!authors?.length) return 'No authors';
  return authors.length > 3 ? `${authors.slice(0, 3).join('; ')} et al.` : authors.join('; ');
}

/** What the stage decided for an item, and why; or the votes so far as far as the caller may see them. */
function decisionLine(item) {
  if (item.decision) return `${item.state === 'not_retrieved' ? 'Not retrievable' : item.decision === 'include' ? 'Included' : 'Excluded'}${item.reason || item.not_retrieved_reason ? `: ${item.reason ?? item.not_retrieved_reason}` : ''}${item.resolution_note ? ` (lead: ${item.resolution_note})` : ''}`;
  if (item.votes?.length) return `Votes: ${item.votes.map((v) => `${v.reviewer} ${voteText(v)}`).join(' · ')}`;
  if (item.my_vote) return `My vote: ${voteText(item.my_vote)}`;
  return `Record ${item.id} at ${STAGES[item.stage]?.lower ?? item.stage}`;
}

function citationLine(r) {
  const bits = [r.journal, r.year, r.volume && `${r.volume}${r.issue ? `(${r.issue})` : ''}`, r.pages].filter(Boolean);
  return bits.join(' · ');
}

export async function render({ main, params, query, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
  // From a dashboard count: the records of one stage in one state.
  const stage = STAGES[query.get('stage')] ? query.get('stage') : null;
  const state = stage && STATE_NAMES[query.get('state')] ? query.get('state') : null;
  const words = state ? '' : (query.get('q') ?? '').trim();
  let page;
  let sources;
  let items = null;
  try {
    if (state) {
      let progress;
      [, items, progress, sources] = await Promise.all([
        loadReview(slug, 'Records'),
        get(`${base}/stages/${stage}/items?state=${state}&offset=${offset}&limit=${LIMIT}`),
        get(`${base}/stages/${stage}/progress`),
        get(`${base}/sources`),
      ]);
      page = { records: items.map((i) => i.record), total: progress.states?.[state] ?? items.length };
    } else {
      [, page, sources] = await Promise.all([
        loadReview(slug, 'Records'),
        get(`${base}/records?offset=${offset}&limit=${LIMIT}${words ? `&q=${encodeURIComponent(words)}` : ''}`),
        get(`${base}/sources`),
      ]);
    }
  } catch (err) {
    if (alive()) showProblem(main, 'The records could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const names = new Map(sources.map((s) => [s.id, s.name]));
  const records = page.records;
  let selected = -1;
  let openId = null;
  let detailRequest = 0;

  const layout = h('div', { class: 'records-layout' });
  const detail = h('section', { class: 'detail card', id: 'record-detail', 'aria-labelledby': 'detail-title', hidden: true });
  const rows = records.map((r, i) => h('button', {
    type: 'button',
    class: 'record-row',
    id: `record-${r.id}`,
    dataset: { id: r.id, index: i },
    onclick: () => {
      select(i, false);
      open(r.id, true);
    },
  },
  h('span', { class: 'title' }, r.title ?? '(no title)'),
  h('span', { class: 'meta' }, [authorsShort(r.authors), r.journal, r.year].filter(Boolean).join(' · ')),
  items ? h('span', { class: 'meta decided' }, decisionLine(items[i])) : null));

  const list = h('ol', { class: 'record-list', id: 'record-list', start: String(offset + 1), 'aria-label': 'Records' },
    records.map((r, i) => h('li', {}, rows[i], r.doi ? h('span', { class: 'doi' }, doiLink(r.doi)) : null)));

  function select(i, focus = true) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((b, j) => b.setAttribute('aria-current', j === selected ? 'true' : 'false'));
    if (focus) rows[selected].focus();
    rows[selected].scrollIntoView({ block: 'nearest' });
    if (openId !== null && records[selected].id !== openId) open(records[selected].id, false);
  }

  async function open(id, focusDetail) {
    openId = id;
    const mine = ++detailRequest;
    layout.classList.add('open');
    let r;
    try {
      r = await get(`${base}/records/${id}`);
    } catch (err) {
      if (mine !== detailRequest || !alive()) return;
      detail.replaceChildren(h('h2', { id: 'detail-title' }, 'This record could not be opened'), h('p', { class: 'form-error', role: 'alert' }, err.detail));
      detail.hidden = false;
      return;
    }
    if (mine !== detailRequest || !alive()) return;
    fill(detail,
      h('h2', { id: 'detail-title', tabindex: '-1' }, r.title ?? '(no title)'),
      h('p', {}, r.authors?.length ? r.authors.join('; ') : 'No authors'),
      h('p', { class: 'citation' }, citationLine(r), r.doi ? [' · ', doiLink(r.doi)] : null, r.pmid ? ` · PMID ${r.pmid}` : null),
      h('p', { class: 'muted' }, `Record #${r.id} · from ${names.get(r.search_source_id) ?? `source ${r.search_source_id}`} (source ${r.search_source_id}, id ${r.source_record_id})`),
      h('h3', {}, 'Abstract'),
      r.abstract ? h('p', { class: 'abstract' }, r.abstract) : h('p', { class: 'muted' }, 'No abstract in any of the imported copies.'),
      r.keywords?.length ? h('p', { class: 'muted' }, 'Keywords: ', r.keywords.join('; ')) : null,
      h('h3', {}, r.duplicates.length ? `Duplicates merged into this record (${num(r.duplicates.length)})` : 'Duplicates merged into this record'),
      r.duplicates.length
        ? h('ul', { class: 'dups', id: 'record-duplicates' }, r.duplicates.map((d) => h('li', {},
          h('strong', {}, names.get(d.search_source_id) ?? 'Unknown source'),
          ` (search source ${d.search_source_id}, id ${d.source_record_id}, record #${d.id}): `,
          d.title ?? '(no title)')))
        : h('p', { class: 'muted' }, 'None: this record was found once.'),
      h('p', {}, h('button', { type: 'button', onclick: close }, h('kbd', {}, 'Esc'), ' Close')),
    );
    detail.hidden = false;
    if (focusDetail) {
      detail.querySelector('h2')?.focus({ preventScroll: true });
      // On a narrow screen the record sits below the list: bring it into view.
      if (window.matchMedia('(max-width: 62rem)').matches) detail.scrollIntoView({ block: 'start' });
    }
  }

  function close() {
    openId = null;
    detailRequest += 1;
    detail.hidden = true;
    layout.classList.remove('open');
    if (selected >= 0) rows[selected].focus();
  }

  const to = (o) => {
    const q = new URLSearchParams(state ? { stage, state } : words ? { q: words } : {});
    if (o) q.set('offset', String(o));
    navigate(`/reviews/${encodeURIComponent(slug)}/records${q.size ? `?${q}` : ''}`);
  };
  const hasNext = offset + records.length < page.total;
  const pager = h('div', { class: 'pager' },
    h('p', { class: 'muted', id: 'records-range' }, records.length
      ? `Records ${num(offset + 1)}–${num(offset + records.length)} of ${num(page.total)}`
      : state ? 'No records in this state.' : words ? 'No record matches these words.' : `${plural(page.total, 'record')} after deduplication`),
    h('div', { class: 'actions' },
      h('button', { type: 'button', disabled: offset === 0, onclick: () => to(Math.max(0, offset - LIMIT)) }, 'Previous 50'),
      h('button', { type: 'button', disabled: !hasNext, onclick: () => to(offset + LIMIT) }, 'Next 50'),
    ));

  // The search: words from the title, authors, journal, year, DOI, PMID or record number.
  const box = h('input', { type: 'search', id: 'records-q', name: 'q', value: words, autocomplete: 'off', placeholder: 'e.g. Lennox 2021, peer navigators, 10.1186/…' });
  const search = h('form', { class: 'records-search', role: 'search', id: 'records-search' },
    h('label', { for: 'records-q' }, 'Find records'), box, h('button', { type: 'submit' }, 'Find'),
    words ? h('a', { href: `/reviews/${encodeURIComponent(slug)}/records`, id: 'records-clear' }, 'Show all') : null);
  search.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = box.value.trim();
    navigate(`/reviews/${encodeURIComponent(slug)}/records${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      box.blur();
    }
  });

  setKeys([
    { key: '/', label: 'Find records by words', run: () => { box.focus(); box.select(); } },
    { key: 'j', repeat: true, label: 'Next record', run: () => (selected === rows.length - 1 && hasNext ? to(offset + LIMIT) : select(selected + 1)) },
    { key: 'k', repeat: true, label: 'Previous record', run: () => select(selected - 1) },
    { key: 'Enter', show: 'Enter', label: 'Open the record (on a focused row)', passive: true, run: () => {} },
    { key: 'Escape', show: 'Esc', label: 'Close the open record', run: () => openId !== null && close() },
  ]);

  layout.replaceChildren(h('div', {}, pager, records.length || state ? list : h('p', { class: 'lede' }, 'No records yet. Import a search first.')), detail);
  main.replaceChildren(...[
    h('h1', {}, state ? `${STAGES[stage].name}: ${STATE_NAMES[state].toLowerCase()}` : 'Records'),
    state ? null : search,
    words ? h('p', { class: 'muted', id: 'records-found' }, `${plural(page.total, 'record')} ${page.total === 1 ? 'matches' : 'match'} “${words}”.`) : null,
    state ? h('p', { class: 'muted', id: 'records-filter' }, `The ${plural(page.total, 'record')} behind the dashboard's count. `,
      h('a', { href: `/reviews/${encodeURIComponent(slug)}/records` }, 'See all records')) : null,
    layout].filter(Boolean));
  focusHeading(main);
}
