// pages/reports.js: owns the Reports page: the live PRISMA 2020 flow diagram, its consistency checks, the previous-review arm, and every download.

import { api, get } from '../api.js';
import { clearErrors, field, h, num, showErrors } from '../dom.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';

function diagram(base, detail) {
  const src = `${base}/prisma.svg${detail ? '?detail=true' : ''}`;
  return h('img', {
    id: 'prisma-diagram',
    class: 'prisma',
    src,
    alt: 'PRISMA 2020 flow diagram of this review, drawn from its data. The same numbers are listed below.',
  });
}

function numbers(p) {
  const d = p.databases_and_registers;
  const rows = [
    ['Records identified from databases', p.identification.database_total],
    ['Records identified from registers', p.identification.register_total],
    ['Duplicate records removed', p.removed_before_screening.duplicates],
    ['Records screened', p.records_screened],
    ['Records excluded', p.records_excluded],
    ['Reports sought for retrieval', d.reports_sought],
    ['Reports not retrieved', d.reports_not_retrieved],
    ['Reports assessed for eligibility', d.reports_assessed],
    ...d.reports_excluded.map((r) => [`Reports excluded: ${r.name}`, r.n]),
    ['Studies included in review', p.studies_included],
    ['Reports of included studies', p.reports_of_included_studies],
  ];
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'prisma-numbers' },
      h('caption', {}, 'PRISMA 2020 counts, derived from the review'),
      h('tbody', {}, rows.map(([label, n]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, num(n))))),
    ));
}

function checks(p) {
  const list = p.checks ?? [];
  const busy = p.in_progress;
  if (!list.length) {
    return h('p', { id: 'prisma-checks', class: 'ok' }, 'Every box reconciles with the boxes before it.');
  }
  return h('div', { id: 'prisma-checks', class: 'card' },
    h('h2', {}, 'Not reconciled yet'),
    h('ul', {}, list.map((c) => h('li', {}, c.message))),
    h('p', {}, `Still in progress: ${num(busy.title_abstract)} records at title/abstract and ${num(busy.full_text)} reports at full text. `,
      h('a', { href: `/reviews/${encodeURIComponent(location.pathname.split('/')[2])}/screen/title_abstract` }, 'Continue screening')),
  );
}

function downloads(base, lead) {
  const link = (href, label, hint) => h('li', {}, h('a', { href, download: '' }, label), hint ? h('span', { class: 'hint' }, ` ${hint}`) : null);
  return h('section', { class: 'card', 'aria-labelledby': 'downloads-title' },
    h('h2', { id: 'downloads-title' }, 'Downloads'),
    h('ul', { class: 'downloads' },
      link(`${base}/prisma.csv`, 'PRISMA2020 CSV', '(opens in the PRISMA2020 R package and Shiny app)'),
      link(`${base}/prisma`, 'PRISMA counts (JSON)'),
      link(`${base}/prisma.svg?detail=true`, 'Flow diagram (SVG)'),
      link(`${base}/included.ris`, 'Included reports (RIS)', '(for EndNote, Zotero, Mendeley)'),
      link(`${base}/included.csv`, 'Included reports (CSV)'),
      lead ? link(`${base}/decisions.csv`, 'Every vote and resolution (CSV)') : null,
      lead ? link(`${base}/audit.csv`, 'Audit trail (CSV)') : null,
      lead ? link(`${base}/audit.jsonl`, 'Audit trail (JSON lines)') : null,
    ));
}

function previousForm(base, p, onSaved) {
  const studies = h('input', { type: 'number', name: 'studies', min: '0', inputmode: 'numeric', value: p.previous_review.studies ?? '' });
  const reports = h('input', { type: 'number', name: 'reports', min: '0', inputmode: 'numeric', value: p.previous_review.reports ?? '' });
  const button = h('button', { type: 'submit' }, 'Save previous version');
  const form = h('form', { class: 'stack card', novalidate: true, 'aria-labelledby': 'previous-title' },
    h('h2', { id: 'previous-title' }, 'Updating an earlier review?'),
    h('p', { class: 'hint' }, 'Enter what the previous version included, once; PRISMA then adds its column and the totals. Leave both empty for a new review.'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'row' }, field('Studies in the previous version', studies, { optional: true }), field('Reports of those studies', reports, { optional: true })),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    button.disabled = true;
    const value = (el) => (el.value.trim() === '' ? null : Number(el.value));
    try {
      const updated = await api('PUT', `${base}/prisma/previous`, { studies: value(studies), reports: value(reports) });
      toast('Previous version saved');
      onSaved(updated);
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  let review;
  let prisma;
  try {
    [review, prisma] = await Promise.all([loadReview(slug, 'Reports'), get(`${base}/prisma`)]);
  } catch (err) {
    if (alive()) showProblem(main, 'The reports could not be loaded', err);
    return;
  }
  if (!alive()) return;
  let detail = false;
  const figure = h('figure', { class: 'prisma-figure' }, diagram(base, detail), h('figcaption', {}, 'PRISMA 2020 flow diagram, recalculated from the review every time it is shown.'));
  const toggle = h('input', { type: 'checkbox', id: 'detail' });
  toggle.addEventListener('change', () => {
    detail = toggle.checked;
    figure.firstChild.replaceWith(diagram(base, detail));
  });
  const numbersSlot = h('div', {}, numbers(prisma));
  const checksSlot = h('div', {}, checks(prisma));
  const refresh = (p) => {
    numbersSlot.replaceChildren(numbers(p));
    checksSlot.replaceChildren(checks(p));
    figure.firstChild.replaceWith(diagram(`${base}`, detail));
  };
  main.replaceChildren(
    h('h1', { tabindex: '-1' }, 'Reports'),
    h('p', { class: 'toggle' }, toggle, h('label', { for: 'detail' }, ' Show each database in the diagram')),
    figure,
    checksSlot,
    numbersSlot,
    downloads(base, isLead(review)),
    isLead(review) ? previousForm(base, prisma, refresh) : null,
  );
  focusHeading(main);
}
