// pages/dashboard.js: owns the review dashboard: the question, the PRISMA identification numbers per search source, and the way to the other pages.

import { get } from '../api.js';
import { h, num, slowly } from '../dom.js';
import { focusHeading } from '../router.js';
import { loadReview, showProblem } from './common.js';

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
  try {
    [review, sources] = await slowly(main, 'Loading the review…', Promise.all([
      loadReview(slug, 'Dashboard'),
      get(`/api/reviews/${encodeURIComponent(slug)}/sources`),
    ]));
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
      h('a', { class: 'button', href: `${base}/members` }, 'Members'),
    ),
    prisma(review, sources),
    h('h2', {}, 'Searches'),
    sources.length ? sourcesTable(sources) : h('p', { class: 'muted' }, 'No searches imported yet. ', h('a', { href: `${base}/import` }, 'Import the first one'), '.'),
  );
  focusHeading(main);
}
