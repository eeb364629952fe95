// pages/settings.js: owns the Settings page: the screening protocol (framework, criteria, reasons,
// highlight keywords) and each stage's settings (reviewers per record, blind, maybe is a conflict).

import { api, get } from '../api.js';
import { clearErrors, field, h, showErrors } from '../dom.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';
import { FRAMEWORKS, STAGES } from './screenkit.js';

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

function protocolForm(base, protocol, lead) {
  const values = { ...(protocol.elements ?? {}) };
  const framework = h('select', { name: 'framework' },
    [['PICO', 'PICO: population, intervention, comparison, outcome'], ['SPIDER', 'SPIDER: sample, phenomenon of interest, design, evaluation, research type'], ['free', 'Free: a question in your own words']]
      .map(([v, label]) => h('option', { value: v, selected: v === protocol.framework }, label)));
  const elements = h('fieldset', { class: 'elements-fields', name: 'elements', id: 'f-elements' });
  const drawElements = () => {
    for (const input of elements.querySelectorAll('textarea')) values[input.dataset.key] = input.value;
    const list = FRAMEWORKS[framework.value] ?? [];
    elements.replaceChildren(
      h('legend', {}, 'The question, element by element'),
      ...list.map(([k, label]) => field(k === 'question' ? label : `${label} (${k})`,
        h('textarea', { name: `elements.${k}`, rows: '2', dataset: { key: k }, value: values[k] ?? '' }), { optional: true })),
      h('p', { class: 'field-error', id: 'f-elements-error', hidden: true }),
    );
  };
  framework.addEventListener('change', drawElements);
  drawElements();
  const area = (name, value, rows = 3) => h('textarea', { name, rows: String(rows), value: value ?? '' });
  const inclusion = area('inclusion', protocol.inclusion, 4);
  const exclusion = area('exclusion', protocol.exclusion, 4);
  const reasons = area('reasons', (protocol.reasons ?? []).join('\n'), 6);
  const incKw = area('include_keywords', (protocol.include_keywords ?? []).join('\n'), 5);
  const excKw = area('exclude_keywords', (protocol.exclude_keywords ?? []).join('\n'), 5);
  const save = h('button', { type: 'submit', class: 'primary', id: 'save-protocol' }, 'Save the protocol');
  const version = h('span', { class: 'muted', id: 'protocol-version' }, `Version ${protocol.version}`);
  const form = h('form', { class: 'stack card wide-form', id: 'protocol-form', novalidate: true, 'aria-labelledby': 'protocol-title' },
    h('h2', { id: 'protocol-title' }, 'Protocol'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', { disabled: !lead, class: 'plain' },
      field('Question framework', framework),
      elements,
      h('div', { class: 'row' },
        field('Include when', inclusion, { hint: 'What a record must have.' }),
        field('Exclude when', exclusion, { hint: 'What rules a record out.' })),
      field('Reasons to exclude', reasons, { hint: 'One per line, in order: the first nine get the keys 1–9 after E.' }),
      h('div', { class: 'row' },
        field('Include keywords', incKw, { hint: 'One per line; shown in green with a + in titles and abstracts. End with * for any ending.' }),
        field('Exclude keywords', excKw, { hint: 'One per line; shown in red with a −.' })),
    ),
    lead ? h('div', { class: 'actions' }, save, version) : version,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const elementValues = {};
    for (const input of elements.querySelectorAll('textarea')) {
      if (input.value.trim()) elementValues[input.dataset.key] = input.value.trim();
    }
    save.disabled = true;
    try {
      const saved = await api('PUT', `${base}/protocol`, {
        framework: framework.value,
        elements: elementValues,
        inclusion: inclusion.value.trim(),
        exclusion: exclusion.value.trim(),
        reasons: lines(reasons.value),
        include_keywords: lines(incKw.value),
        exclude_keywords: lines(excKw.value),
      });
      version.textContent = `Version ${saved.version}`;
      reasons.value = saved.reasons.join('\n');
      toast('Protocol saved');
    } catch (err) {
      showErrors(form, err);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function stageForm(base, stage, s, lead) {
  const per = h('input', { type: 'number', name: 'reviewers_per_record', min: '1', max: '5', step: '1', value: String(s.reviewers_per_record), inputmode: 'numeric' });
  const blind = h('input', { type: 'checkbox', name: 'blind', id: `blind-${stage}`, checked: s.blind });
  const maybe = h('input', { type: 'checkbox', name: 'maybe_is_conflict', id: `maybe-${stage}`, checked: s.maybe_is_conflict });
  const save = h('button', { type: 'submit', class: 'primary', id: `save-${stage}` }, 'Save');
  const form = h('form', { class: 'stack card', id: `stage-${stage}`, novalidate: true, 'aria-labelledby': `stage-${stage}-title` },
    h('h2', { id: `stage-${stage}-title` }, STAGES[stage].name),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', { disabled: !lead, class: 'plain' },
      field('Reviewers per record', per, { hint: 'Independent votes each record needs, 1 to 5.' }),
      h('div', { class: 'check' }, blind, h('label', { for: blind.id }, 'Blind: reviewers do not see each other’s votes until a record is decided')),
      h('div', { class: 'check' }, maybe, h('label', { for: maybe.id }, 'A “maybe” vote makes a conflict for a lead')),
    ),
    lead ? h('div', { class: 'actions' }, save) : null,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      await api('PUT', `${base}/stages/${stage}/settings`, {
        reviewers_per_record: Number.parseInt(per.value, 10) || 0,
        blind: blind.checked,
        maybe_is_conflict: maybe.checked,
      });
      toast(`${STAGES[stage].name} settings saved`);
    } catch (err) {
      showErrors(form, err);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  let review;
  let protocol;
  let ta;
  let ft;
  try {
    [review, protocol, ta, ft] = await Promise.all([
      loadReview(slug, 'Settings'),
      get(`${base}/protocol`),
      get(`${base}/stages/title_abstract/settings`),
      get(`${base}/stages/full_text/settings`),
    ]);
  } catch (err) {
    if (alive()) showProblem(main, 'The settings could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const lead = isLead(review);
  main.replaceChildren(
    h('h1', {}, 'Settings'),
    lead ? h('p', { class: 'lede' }, 'The protocol every reviewer sees with ?, and how each stage is screened. Each saved change is kept in the audit trail.')
      : h('p', { class: 'form-error', role: 'note' }, 'Only a lead can change these; you can read them.'),
    protocolForm(base, protocol, lead),
    h('div', { class: 'stage-forms' },
      stageForm(base, 'title_abstract', ta, lead),
      stageForm(base, 'full_text', ft, lead)),
  );
  focusHeading(main);
}
