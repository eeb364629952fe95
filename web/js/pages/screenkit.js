// pages/screenkit.js: owns what the screening pages share: stage and state names, keyword highlighting, a record shown for screening, votes as words, and the eligibility criteria.

import { h } from '../dom.js';

/** The states a stage's records can be in, in the dashboard's order and words. */
export const STATE_NAMES = {
  open: 'Open for screening',
  conflict: 'In conflict',
  awaiting_file: 'Waiting for the PDF',
  included: 'Included',
  excluded: 'Excluded',
  not_retrieved: 'Not retrievable',
};

export const STAGES = {
  title_abstract: { name: 'Title/abstract', lower: 'title/abstract' },
  full_text: { name: 'Full text', lower: 'full text' },
};

export const FRAMEWORKS = {
  PICO: [['P', 'Population'], ['I', 'Intervention'], ['C', 'Comparison'], ['O', 'Outcome']],
  SPIDER: [['S', 'Sample'], ['PI', 'Phenomenon of interest'], ['D', 'Design'], ['E', 'Evaluation'], ['R', 'Research type']],
  free: [['question', 'Question']],
};

/** What a vote or decision says in a sentence: "Included", "Excluded", "Maybe". */
export const VOTED = { include: 'Included', exclude: 'Excluded', maybe: 'Maybe' };
export const VOTE_LETTER = { include: 'I', exclude: 'E', maybe: 'M' };

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A keyword as a pattern: whole words, case-insensitive; a trailing * matches any ending (qualitativ*). */
function pattern(word) {
  const w = word.trim();
  if (w.endsWith('*') && w.length > 1) return `${escapeRe(w.slice(0, -1))}[\\p{L}\\p{N}]*`;
  return escapeRe(w);
}

/**
 * Builds a highlighter for the protocol's keywords. It returns DOM nodes (text and <mark>), never
 * HTML, so titles and abstracts with markup in them are shown as text.
 */
export function highlighter(protocol) {
  const kinds = new Map();
  const words = [];
  for (const [list, kind] of [[protocol?.include_keywords ?? [], 'inc'], [protocol?.exclude_keywords ?? [], 'exc']]) {
    for (const raw of list) {
      const w = String(raw).trim();
      if (!w || kinds.has(w.toLowerCase())) continue;
      kinds.set(w.toLowerCase(), kind);
      words.push(w);
    }
  }
  if (!words.length) return (text) => [text ?? ''];
  words.sort((a, b) => b.length - a.length);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map((w) => `(${pattern(w)})`).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const kindOf = words.map((w) => kinds.get(w.toLowerCase()));
  return (text) => {
    const s = String(text ?? '');
    const out = [];
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      if (m[0] === '') {
        re.lastIndex += 1;
        continue;
      }
      const group = m.findIndex((g, i) => i > 0 && g !== undefined) - 1;
      const kind = kindOf[group] ?? 'inc';
      if (m.index > last) out.push(s.slice(last, m.index));
      out.push(h('mark', { class: `kw ${kind}`, title: kind === 'inc' ? 'Include keyword' : 'Exclude keyword' },
        h('span', { class: 'visually-hidden' }, kind === 'inc' ? '(include keyword) ' : '(exclude keyword) '),
        m[0]));
      last = m.index + m[0].length;
    }
    if (last < s.length) out.push(s.slice(last));
    return out;
  };
}

function doiLink(doi) {
  return h('a', { href: `https://doi.org/${encodeURI(doi)}`, rel: 'noopener noreferrer', target: '_blank', class: 'doi' },
    `doi:${doi}`, h('span', { 'aria-hidden': 'true' }, ' ↗'), h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'));
}

function authorLine(authors) {
  if (!authors?.length) return 'No authors listed';
  return authors.length > 8 ? `${authors.slice(0, 7).join('; ')} … ${authors.at(-1)}` : authors.join('; ');
}

/** Splits an abstract into paragraphs at blank lines or structured headings on a new line. */
function paragraphs(text) {
  return String(text).split(/\n\s*\n|\r?\n(?=[A-Z][A-Za-z ]{2,30}:)/).map((p) => p.trim()).filter(Boolean);
}

// The letters `dedup::fold` spells out (after lower-casing and NFKD, which makes µ a μ).
const LETTERS = {
  ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i',
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', κ: 'kappa', μ: 'mu', '&': ' and ',
};

/**
 * Text folded for matching as the server's searches fold it (`dedup::fold`): markup out, lower
 * case, accents off, apostrophes dropped, a few letters spelled out, anything but letters and digits
 * a single space.
 */
function fold(text) {
  return String(text ?? '').replace(/<[^>]*>/g, ' ').normalize('NFKD').replace(/\p{M}/gu, '').replace(/['‘’ʼ`´]/gu, '').toLowerCase()
    .replace(/[øæœßłđðþıαβγδκμ&]/gu, (c) => LETTERS[c]).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Whether every word of `query` is somewhere in `item` (a screening item with my vote), as the search of my decisions matches on the server. */
export function decisionMatches(item, query) {
  const words = fold(query).split(' ').filter(Boolean);
  const r = item.record ?? {};
  const v = item.my_vote ?? {};
  const said = { include: 'include included', exclude: 'exclude excluded' }[v.vote] ?? v.vote ?? '';
  const text = fold([r.title, r.journal, r.doi, v.reason, v.note, ...(r.authors ?? []), ...(v.tags ?? []), r.year, item.id, said]
    .filter((x) => x !== null && x !== undefined).join(' '));
  return words.length > 0 && words.every((w) => text.includes(w));
}

/** One vote as a short phrase: "Excluded: Not qualitative". */
export function voteText(v) {
  if (!v) return '';
  return `${VOTED[v.vote] ?? v.vote}${v.reason ? `: ${v.reason}` : ''}`;
}

/** A record for screening: title, authors, journal · year · DOI, the abstract in a readable measure, keywords. */
export function recordView(item, hl, { heading = 'h1', extra = null } = {}) {
  const r = item.record ?? {};
  const cite = [r.journal, r.year, r.volume && `${r.volume}${r.issue ? `(${r.issue})` : ''}`, r.pages].filter(Boolean);
  const citeLine = [];
  cite.forEach((c, i) => {
    if (i) citeLine.push(h('span', { class: 'dot', 'aria-hidden': 'true' }, ' · '));
    citeLine.push(String(c));
  });
  if (r.doi) citeLine.push(cite.length ? h('span', { class: 'dot', 'aria-hidden': 'true' }, ' · ') : null, doiLink(r.doi));
  if (r.pmid) citeLine.push(h('span', { class: 'dot', 'aria-hidden': 'true' }, ' · '), `PMID ${r.pmid}`);
  const abs = r.abstract ? paragraphs(r.abstract) : [];
  return h('article', { class: 'screen-record', id: 'record', dataset: { item: item.id, record: r.id }, 'aria-labelledby': 'record-title' },
    h(heading, { id: 'record-title', class: 'record-title', tabindex: '-1' }, hl(r.title || '(no title)')),
    h('p', { class: 'authors' }, authorLine(r.authors)),
    citeLine.length ? h('p', { class: 'citation' }, citeLine) : null,
    extra,
    abs.length
      ? h('div', { class: 'abstract', id: 'abstract' }, abs.map((p) => h('p', {}, hl(p))))
      : h('p', { class: 'abstract muted', id: 'abstract' }, 'No abstract in this record: judge it by its title, or look for the full text.'),
    r.keywords?.length ? h('p', { class: 'keywords' }, h('span', { class: 'muted' }, 'Keywords: '), r.keywords.flatMap((k, i) => [i ? '; ' : '', ...hl(k)])) : null,
  );
}

/** The eligibility criteria: the framework's elements, inclusion, exclusion, and the reasons with their keys. */
export function criteriaView(protocol, stage) {
  const p = protocol ?? {};
  const elements = FRAMEWORKS[p.framework] ?? [];
  const known = new Set(elements.map(([k]) => k));
  const rows = [
    ...elements.map(([k, label]) => [k === 'question' ? label : `${label} (${k})`, p.elements?.[k]]),
    ...Object.entries(p.elements ?? {}).filter(([k]) => !known.has(k)).map(([k, v]) => [k, v]),
  ].filter(([, v]) => v && String(v).trim());
  const reasons = p.reasons ?? [];
  return h('section', { class: 'criteria', id: 'criteria', 'aria-labelledby': 'criteria-title' },
    h('h2', { id: 'criteria-title' }, 'Eligibility criteria', p.framework && p.framework !== 'free' ? h('span', { class: 'muted' }, ` · ${p.framework}`) : null,
      p.version ? h('span', { class: 'muted', id: 'criteria-version' }, ` · version ${p.version}`) : null),
    rows.length ? h('dl', { class: 'elements' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])) : null,
    h('div', { class: 'in-ex' },
      h('div', { class: 'inc-box' }, h('h3', {}, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Include'), h('p', {}, p.inclusion?.trim() || 'No inclusion criteria written yet.')),
      h('div', { class: 'exc-box' }, h('h3', {}, h('span', { 'aria-hidden': 'true' }, '✗ '), 'Exclude'), h('p', {}, p.exclusion?.trim() || 'No exclusion criteria written yet.')),
    ),
    h('h3', {}, `Reasons to exclude${stage === 'full_text' ? ' (one is needed at full text)' : ''}`),
    reasons.length
      ? h('ol', { class: 'reasons' }, reasons.map((r, i) => h('li', {}, i < 9 ? h('kbd', {}, String(i + 1)) : h('span', { class: 'muted' }, '(no key) '), ' ', r)))
      : h('p', { class: 'muted' }, 'No reasons written yet: a lead can add them in Settings.'),
  );
}
