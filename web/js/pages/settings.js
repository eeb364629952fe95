// pages/settings.js: owns the Settings page: the screening protocol (framework, criteria, reasons,
// highlight keywords), each stage's settings (reviewers per record, blind, maybe is a conflict, a pilot
// with its agreement gate, the share screened in full, fixed reviewer groups), and moving a reviewer's
// reserved records to someone else.

import { api, get } from '../api.js';
import { clearErrors, field, h, showErrors } from '../dom.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';
import { FRAMEWORKS, STAGES } from './screenkit.js';

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

/** The protocol's parts as the amendments list names them. */
const PARTS = {
  framework: 'the question framework',
  elements: 'the question',
  inclusion: 'the inclusion criteria',
  exclusion: 'the exclusion criteria',
  reasons: 'the exclusion reasons',
  include_keywords: 'the include keywords',
  exclude_keywords: 'the exclude keywords',
};

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
  let shownVersion = protocol.version;
  // The amendments, newest first, as reported under PRISMA 2020 item 24.
  const history = h('details', { class: 'history', id: 'protocol-history' }, h('summary', {}, 'Versions and amendments'), h('p', { class: 'muted' }, 'Loading…'));
  async function drawHistory() {
    try {
      const list = await get(`${base}/protocol/history`);
      history.replaceChildren(history.firstChild,
        list.length
          ? h('ol', { reversed: true }, list.map((v) => h('li', { dataset: { version: v.version } },
            h('strong', {}, `Version ${v.version}`), ` · ${new Date(v.at).toLocaleDateString()}${v.by ? ` · ${v.by}` : ''} · `,
            v.changed.length ? `changed ${v.changed.map((c) => PARTS[c] ?? c).join(', ')}` : 'saved without changes')))
          : h('p', { class: 'muted' }, 'Not saved yet.'),
        h('p', { class: 'muted small' }, 'Each vote records the version it was made under; the decisions CSV has it in its last column.'));
    } catch (err) {
      history.replaceChildren(history.firstChild, h('p', { class: 'muted' }, err.detail));
    }
  }
  const version = h('span', { class: 'muted', id: 'protocol-version', title: 'Each vote records the version it was made under' }, `Version ${protocol.version}`);
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
    history,
  );
  drawHistory();
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
      const was = shownVersion;
      shownVersion = saved.version;
      version.textContent = `Version ${saved.version}`;
      reasons.value = saved.reasons.join('\n');
      toast(saved.version > was ? `Protocol saved as version ${saved.version}: votes from now on record it` : `Nothing changed: the protocol stays at version ${saved.version}`);
      if (saved.version > was) drawHistory();
    } catch (err) {
      showErrors(form, err);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function stageForm(base, stage, s, lead, screeners) {
  const per = h('input', { type: 'number', name: 'reviewers_per_record', min: '1', max: '5', step: '1', value: String(s.reviewers_per_record), inputmode: 'numeric' });
  const blind = h('input', { type: 'checkbox', name: 'blind', id: `blind-${stage}`, checked: s.blind });
  const maybe = h('input', { type: 'checkbox', name: 'maybe_is_conflict', id: `maybe-${stage}`, checked: s.maybe_is_conflict });
  const pilotSize = h('input', { type: 'number', name: 'pilot_size', min: '0', max: '1000', step: '1', value: String(s.pilot_size ?? 0), inputmode: 'numeric' });
  const pilotThreshold = h('input', { type: 'number', name: 'pilot_threshold', min: '-1', max: '1', step: '0.05', value: String(s.pilot_threshold ?? 0.6), inputmode: 'decimal' });
  const percent = h('input', { type: 'number', name: 'double_percent', min: '1', max: '100', step: '1', value: String(s.double_percent ?? 100), inputmode: 'numeric' });
  const save = h('button', { type: 'submit', class: 'primary', id: `save-${stage}` }, 'Save');

  // Fixed groups of reviewers: each record goes to one group. One row per group, one choice per vote.
  let groups = (s.pairs ?? []).map((g) => [...g]);
  const pairRows = h('div', { class: 'pairs', id: `pairs-${stage}` });
  const size = () => Math.max(1, Math.min(5, Number.parseInt(per.value, 10) || 2));
  const choose = (value, onchange, label) =>
    screenerSelect(screeners, value, { 'aria-label': label, onchange: (e) => onchange(Number.parseInt(e.target.value, 10) || null) });
  const drawPairs = () => {
    const n = size();
    groups = groups.map((g) => Array.from({ length: n }, (_, i) => g[i] ?? null));
    pairRows.replaceChildren(
      ...groups.map((g, gi) => h('div', { class: 'pair', dataset: { pair: gi } },
        h('span', { class: 'muted' }, `Group ${gi + 1}:`),
        g.map((who, i) => choose(who, (v) => { groups[gi][i] = v; }, `Group ${gi + 1}, reviewer ${i + 1}`)),
        h('button', { type: 'button', class: 'link', onclick: () => { groups.splice(gi, 1); drawPairs(); } }, 'Remove'))),
      h('p', { class: 'muted small' }, groups.length ? 'Each record goes to one group, in turn.' : 'No fixed groups: any reviewers may judge any record.'),
      h('button', { type: 'button', id: `add-pair-${stage}`, onclick: () => { groups.push(Array(size()).fill(null)); drawPairs(); } }, 'Add a group'));
  };
  per.addEventListener('change', drawPairs);
  drawPairs();

  const pilotState = s.pilot_size > 0
    ? h('p', { class: 'muted', id: `pilot-state-${stage}` }, s.pilot_opened
      ? 'The pilot is done: the whole stage is open.'
      : `Only the ${s.pilot_size} pilot records are screened until their agreement reaches κ ${s.pilot_threshold ?? 0.6}, or a lead opens the rest.`,
    !s.pilot_opened && lead ? [' ', h('button', { type: 'button', id: `open-pilot-${stage}`, onclick: openPilot }, 'Open the rest now')] : null)
    : null;
  async function openPilot() {
    try {
      await api('POST', `${base}/stages/${stage}/pilot/open`, {});
      toast(`${STAGES[stage].name}: the whole stage is open`);
      pilotState?.replaceChildren('The pilot is done: the whole stage is open.');
    } catch (err) {
      toast(err.detail, { problem: true });
    }
  }

  const form = h('form', { class: 'stack card', id: `stage-${stage}`, novalidate: true, 'aria-labelledby': `stage-${stage}-title` },
    h('h2', { id: `stage-${stage}-title` }, STAGES[stage].name),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', { disabled: !lead, class: 'plain' },
      field('Reviewers per record', per, { hint: 'Independent votes each record needs, 1 to 5.' }),
      h('div', { class: 'check' }, blind, h('label', { for: blind.id }, 'Blind: reviewers do not see each other’s votes until a record is decided')),
      h('div', { class: 'check' }, maybe, h('label', { for: maybe.id }, 'A “maybe” vote makes a conflict for a lead')),
      h('div', { class: 'row' },
        field('Pilot records', pilotSize, { hint: 'The stage’s first records, screened by everyone before the rest opens; 0 for no pilot.' }),
        field('Pilot agreement to open (κ)', pilotThreshold, { hint: 'Cohen’s kappa the pilot must reach; 0.6 is common.' })),
      pilotState,
      field('Share of records screened by all their reviewers (%)', percent, { hint: 'The rest get one reviewer; 100 gives every record all its reviewers.' }),
      h('div', { class: 'field', dataset: { field: 'pairs' } },
        h('span', { class: 'label' }, 'Fixed reviewer groups', h('span', { class: 'optional' }, ' (optional)')),
        pairRows),
    ),
    lead ? h('div', { class: 'actions' }, save) : null,
    lead ? reassignForm(base, stage, screeners) : null,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (groups.some((g) => g.some((who) => !who))) {
      showErrors(form, { errors: [], detail: 'Choose every reviewer of each group, or remove the group.' });
      return;
    }
    save.disabled = true;
    try {
      await api('PUT', `${base}/stages/${stage}/settings`, {
        reviewers_per_record: Number.parseInt(per.value, 10) || 0,
        blind: blind.checked,
        maybe_is_conflict: maybe.checked,
        pilot_size: Number.parseInt(pilotSize.value, 10) || 0,
        pilot_threshold: Number.parseFloat(pilotThreshold.value),
        double_percent: Number.parseInt(percent.value, 10) || 0,
        pairs: groups,
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

/** A choice of one of the review's screeners (by user id), `value` chosen, with `attrs` on the select. */
function screenerSelect(screeners, value, attrs) {
  return h('select', attrs,
    h('option', { value: '' }, 'Choose…'),
    screeners.map((m) => h('option', { value: String(m.user_id), selected: m.user_id === value }, m.name || m.email)));
}

/** A lead hands the records one reviewer holds at this stage to another (someone leaving, or workload). */
function reassignForm(base, stage, screeners) {
  const pick = (name, label) => screenerSelect(screeners, null, { name, 'aria-label': label });
  const from = pick('from', 'From');
  const to = pick('to', 'To');
  const go = h('button', { type: 'button', id: `reassign-${stage}` }, 'Move their records');
  const said = h('p', { class: 'muted small', role: 'status', id: `reassign-${stage}-said` });
  go.addEventListener('click', async () => {
    const a = Number.parseInt(from.value, 10);
    const b = Number.parseInt(to.value, 10);
    if (!a || !b) {
      said.textContent = 'Choose who the records are moved from, and to whom.';
      return;
    }
    go.disabled = true;
    try {
      const r = await api('POST', `${base}/stages/${stage}/reassign`, { from: a, to: b });
      said.textContent = r.moved ? `Moved ${r.moved} record${r.moved === 1 ? '' : 's'}.` : 'They held no records at this stage.';
    } catch (err) {
      said.textContent = err.detail;
    } finally {
      go.disabled = false;
    }
  });
  return h('div', { class: 'reassign' },
    h('h3', {}, 'Move a reviewer’s records'),
    h('p', { class: 'muted small' }, 'The records someone holds at this stage and has not judged go to another reviewer, for example when they leave the team.'),
    h('div', { class: 'actions' }, h('label', {}, 'From ', from), h('label', {}, 'to ', to), go),
    said);
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  let review;
  let protocol;
  let ta;
  let ft;
  let members;
  try {
    [review, protocol, ta, ft, members] = await Promise.all([
      loadReview(slug, 'Settings'),
      get(`${base}/protocol`),
      get(`${base}/stages/title_abstract/settings`),
      get(`${base}/stages/full_text/settings`),
      get(`${base}/members`),
    ]);
  } catch (err) {
    if (alive()) showProblem(main, 'The settings could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const lead = isLead(review);
  const screeners = members.filter((m) => m.roles.includes('reviewer') || m.roles.includes('lead'));
  main.replaceChildren(
    h('h1', {}, 'Settings'),
    lead ? h('p', { class: 'lede' }, 'The protocol every reviewer sees with ?, and how each stage is screened. Each saved change is kept in the audit trail.')
      : h('p', { class: 'form-error', role: 'note' }, 'Only a lead can change these; you can read them.'),
    protocolForm(base, protocol, lead),
    h('div', { class: 'stage-forms' },
      stageForm(base, 'title_abstract', ta, lead, screeners),
      stageForm(base, 'full_text', ft, lead, screeners)),
  );
  focusHeading(main);
}
