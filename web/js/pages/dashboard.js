// pages/dashboard.js: owns the review dashboard: the question, the PRISMA identification numbers per search source, and the way to the other pages.

import { get } from '../api.js';
import { h, num, plural, slowly } from '../dom.js';
import { focusHeading } from '../router.js';
import { isLead, loadReview, showProblem } from './common.js';
import { STAGES, STATE_NAMES } from './screenkit.js';

const STATES = Object.entries(STATE_NAMES);

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const fix = (x) => (x === null || x === undefined ? '—' : Number(x).toFixed(2).replace('-', '−'));
const ci = (e) => (e && e.ci_low !== null && e.ci_low !== undefined ? ` (${fix(e.ci_low)} to ${fix(e.ci_high)})` : '');

/** Agreement between reviewers: all pairs first, then each pair; with agreement on the exclusion reason where both excluded. */
function agreementTable(rows, names, reasons) {
  if (!rows?.length || !rows[0].n) return h('p', { class: 'muted' }, 'Agreement appears once two reviewers have judged the same records.');
  const label = (r) => (r.reviewers ? r.reviewers.map((id) => names.get(id) ?? `#${id}`).join(' & ') : 'All pairs');
  const est = (e) => (e ? [h('span', { class: 'est' }, fix(e.value)), ci(e) ? h('span', { class: 'ci' }, ci(e)) : null] : '—');
  const sameReason = (r) => {
    const key = r.reviewers?.join('-');
    const m = key ? reasons?.pairs?.find((p) => p.reviewers?.join('-') === key) : reasons;
    return m?.n ? [pct(m.percent_agreement), h('span', { class: 'ci' }, ` of ${num(m.n)}`)] : '—';
  };
  return h('div', { class: 'table-wrap' }, h('table', { class: 'agreement' },
    h('caption', { class: 'muted' }, 'On each record’s first two independent votes; 95% confidence intervals in brackets'),
    h('thead', {}, h('tr', {}, ['Reviewers', 'n', 'Agreement', 'Cohen’s κ', 'PABAK', 'Gwet’s AC1', 'Same reason'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', { dataset: { pair: r.reviewers ? r.reviewers.join('-') : 'all' } },
      h('th', { scope: 'row' }, label(r)),
      h('td', { class: 'num', dataset: { agree: 'n' } }, num(r.n)),
      h('td', { class: 'num', dataset: { agree: 'percent' } }, pct(r.percent_agreement)),
      h('td', { class: 'num', dataset: { agree: 'kappa' } }, est(r.cohen_kappa)),
      h('td', { class: 'num', dataset: { agree: 'pabak' } }, fix(r.pabak)),
      h('td', { class: 'num', dataset: { agree: 'ac1' } }, est(r.gwet_ac1)),
      h('td', { class: 'num', dataset: { agree: 'same-reason' }, title: 'Of the records both excluded, how many got the same reason' }, sameReason(r)),
    ))),
  ));
}

/** Agreement on exclusion reasons, where both reviewers excluded a record. */
function reasonLine(r) {
  if (!r?.n) return null;
  return h('p', { class: 'muted small reason-agreement', dataset: { agree: 'reasons', n: r.n } },
    `On the exclusion reason, for the ${plural(r.n, 'record')} both excluded: ${pct(r.percent_agreement)} the same`,
    r.cohen_kappa ? `, κ ${fix(r.cohen_kappa.value)}` : '', '.');
}

/** One stage: my progress, the records by state, votes per reviewer (leads), conflicts and agreement. */
function stageCard(review, stage, progress, agreement) {
  const slug = encodeURIComponent(review.slug);
  const info = STAGES[stage];
  const lead = isLead(review);
  const states = progress.states;
  const total = states ? Object.values(states).reduce((a, b) => a + b, 0) : null;
  const conflicts = states?.conflict ?? 0;
  const names = new Map((progress.reviewers ?? []).map((r) => [r.reviewer_id, r.reviewer]));
  const screens = review.roles.includes('reviewer') || lead;
  return h('section', { class: 'card stage-card', dataset: { stage }, 'aria-labelledby': `stage-${stage}` },
    h('div', { class: 'stage-head' },
      h('h3', { id: `stage-${stage}` }, info.name),
      h('div', { class: 'actions' },
        lead && conflicts > 0 ? h('a', { class: 'button', href: `/reviews/${slug}/conflicts/${stage}`, dataset: { conflicts: stage } }, `Resolve ${plural(conflicts, 'conflict')}`) : null,
        screens ? h('a', { class: `button${stage === 'title_abstract' ? ' primary' : ''}`, href: `/reviews/${slug}/screen/${stage}`, dataset: { screen: stage } }, 'Screen') : null)),
    h('div', { class: 'stage-body' },
      h('div', {},
        screens ? h('p', { class: 'mine' }, 'Mine: ', h('strong', { dataset: { mine: 'votes' } }, num(progress.my_votes)), ' judged, ',
          h('strong', { dataset: { mine: 'remaining' } }, num(progress.my_remaining)), ' left for me') : null,
        states
          ? h('table', { class: 'states' },
            h('tbody', {}, STATES.filter(([k]) => stage === 'full_text' || (k !== 'awaiting_file' && k !== 'not_retrieved')).map(([k, label]) => h('tr', {},
              h('th', { scope: 'row' }, label),
              h('td', { class: 'num' }, (states[k] ?? 0) > 0
                ? h('a', { class: 'n', href: `/reviews/${slug}/records?stage=${stage}&state=${k}`, dataset: { state: k }, title: `See the ${label.toLowerCase()} records` }, num(states[k]))
                : h('span', { class: 'n', dataset: { state: k } }, '0'))))),
            h('tfoot', {}, h('tr', {}, h('td', {}, 'All records at this stage'), h('td', { class: 'num', dataset: { state: 'total' } }, num(total)))))
          : h('p', { class: 'muted' }, 'While screening is blind you see only your own numbers; the lead sees the rest.'),
        progress.reviewers
          ? [h('h4', {}, 'Votes per reviewer'),
            progress.reviewers.length
              ? h('ul', { class: 'reviewers' }, progress.reviewers.map((r) => h('li', { dataset: { reviewer: r.reviewer_id } }, `${r.reviewer}: `, h('strong', {}, num(r.votes)))))
              : h('p', { class: 'muted' }, 'No votes yet.')]
          : null),
      agreement ? h('div', {}, h('h4', {}, 'Agreement'), agreementTable(agreement, names, agreement.reasons), reasonLine(agreement.reasons)) : null,
    ),
  );
}

const KINDS = {
  database: 'Database',
  register: 'Register',
  website: 'Website',
  organisation: 'Organisation',
  citation_searching: 'Citation searching',
  other: 'Other',
};

/** A count as the API gave it, marked so tests (and people) can match it with the API. */
function n(counts, key) {
  return h('span', { class: 'n', dataset: { count: key } }, num(counts[key]));
}

function sourcesTable(sources) {
  const total = sources.reduce((s, x) => s + x.records_found, 0);
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'sources' },
      h('caption', { class: 'muted' }, 'Searches imported, one row per file'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Database or source'),
        h('th', { scope: 'col' }, 'Kind'),
        h('th', { scope: 'col' }, 'Platform'),
        h('th', { scope: 'col' }, 'Searched on'),
        h('th', { scope: 'col' }, 'Query'),
        h('th', { scope: 'col' }, 'File'),
        h('th', { scope: 'col', class: 'num' }, 'Records'),
      )),
      h('tbody', {}, sources.map((s) => h('tr', {},
        h('th', { scope: 'row' }, s.name),
        h('td', {}, KINDS[s.kind] ?? s.kind),
        h('td', {}, s.platform ?? '—'),
        h('td', {}, s.searched_on ?? '—'),
        h('td', { class: 'query' }, s.query ?? '—'),
        h('td', {}, s.file_name, h('span', { class: 'muted' }, ` (${s.format})`)),
        h('td', { class: 'num', dataset: { source: s.id } }, num(s.records_found)),
      ))),
      h('tfoot', {}, h('tr', {},
        h('td', { colspan: '6' }, 'All searches'),
        h('td', { class: 'num', id: 'sources-total' }, num(total)),
      )),
    ),
  );
}

/** One PRISMA group of searches with its total, or nothing when it has none. */
function group(title, sources) {
  if (!sources.length) return null;
  const total = sources.reduce((sum, s) => sum + s.records_found, 0);
  return [
    h('p', {}, `${title} (n = ${num(total)}):`),
    h('ul', {}, sources.map((s) => h('li', {}, `${s.name}${s.platform ? ` (${s.platform})` : ''}${s.kind === 'database' ? '' : `, ${(KINDS[s.kind] ?? s.kind).toLowerCase()}`}: n = ${num(s.records_found)}`))),
  ];
}

function prisma(review, sources) {
  const c = review.counts;
  const databases = sources.filter((s) => s.kind === 'database' || s.kind === 'register');
  const others = sources.filter((s) => s.kind !== 'database' && s.kind !== 'register');
  const base = `/reviews/${encodeURIComponent(review.slug)}`;
  return h('section', { 'aria-labelledby': 'identification' },
    h('h2', { id: 'identification' }, 'Identification'),
    h('div', { class: 'prisma' },
      h('div', { class: 'box' },
        h('h3', {}, 'Records identified (n = ', n(c, 'records_imported'), ')'),
        sources.length ? null : h('p', { class: 'muted' }, 'Nothing imported yet.'),
        group('From databases and registers', databases),
        group('From other methods', others),
      ),
      h('div', { class: 'box' },
        h('h3', {}, 'Records removed before screening'),
        h('p', {}, 'Duplicate records removed (n = ', n(c, 'duplicates_removed'), ')'),
        h('p', {}, 'Possible duplicates waiting for a person (n = ', n(c, 'duplicates_pending'), ')',
          c.duplicates_pending > 0 ? [' · ', h('a', { href: `${base}/duplicates` }, 'judge them')] : null),
      ),
      h('div', { class: 'box main full' },
        h('h3', {}, 'Records after deduplication (n = ', n(c, 'records'), ')'),
        h('p', {}, h('a', { href: `${base}/records` }, 'See the records')),
      ),
    ),
  );
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  let review;
  let sources;
  let stages;
  const api = `/api/reviews/${encodeURIComponent(slug)}`;
  // Agreement is refused (403) to blind reviewers: that is an answer, not a failure.
  const agreement = (stage) => Promise.all([get(`${api}/stages/${stage}/agreement`), get(`${api}/stages/${stage}/agreement/reasons`)])
    .then(([rows, reasons]) => Object.assign(rows, { reasons }))
    .catch(() => null);
  try {
    let ta;
    let ft;
    let agTa;
    let agFt;
    [review, sources, ta, ft, agTa, agFt] = await slowly(main, 'Loading the review…', Promise.all([
      loadReview(slug, 'Dashboard'),
      get(`${api}/sources`),
      get(`${api}/stages/title_abstract/progress`),
      get(`${api}/stages/full_text/progress`),
      agreement('title_abstract'),
      agreement('full_text'),
    ]));
    stages = [['title_abstract', ta, agTa], ['full_text', ft, agFt]];
  } catch (err) {
    if (alive()) showProblem(main, 'This review could not be opened', err);
    return;
  }
  if (!alive()) return;
  const base = `/reviews/${encodeURIComponent(slug)}`;
  main.replaceChildren(
    h('h1', {}, review.title),
    review.question ? h('p', { class: 'lede' }, review.question) : h('p', { class: 'lede' }, 'No review question written yet.'),
    h('p', { class: 'muted' }, 'My roles: ', review.roles.join(', ')),
    h('nav', { class: 'next-steps', 'aria-label': 'Review pages' },
      h('a', { class: 'button primary', href: `${base}/import` }, 'Import a search'),
      h('a', { class: 'button', href: `${base}/duplicates` }, `Duplicates (${num(review.counts.duplicates_pending)} waiting)`),
      h('a', { class: 'button', href: `${base}/records` }, 'Records'),
      h('a', { class: 'button', href: `${base}/screen/title_abstract` }, 'Screen'),
      isLead(review) ? h('a', { class: 'button', href: `${base}/conflicts/title_abstract` }, 'Conflicts') : null,
      h('a', { class: 'button', href: `${base}/members` }, 'Members'),
      h('a', { class: 'button', href: `${base}/settings` }, 'Settings'),
    ),
    prisma(review, sources),
    h('section', { 'aria-labelledby': 'screening', id: 'screening-summary' },
      h('div', { class: 'stage-head' },
        h('h2', { id: 'screening' }, 'Screening'),
        isLead(review) ? h('a', { href: `/api/reviews/${encodeURIComponent(slug)}/decisions.csv`, download: `${slug}-decisions.csv`, id: 'decisions-csv' }, 'Download decisions (CSV)') : null),
      h('div', { class: 'stages' }, stages.map(([stage, p, ag]) => stageCard(review, stage, p, ag))),
    ),
    h('h2', {}, 'Searches'),
    sources.length ? sourcesTable(sources) : h('p', { class: 'muted' }, 'No searches imported yet. ', h('a', { href: `${base}/import` }, 'Import the first one'), '.'),
  );
  focusHeading(main);
}
