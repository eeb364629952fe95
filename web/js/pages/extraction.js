// pages/extraction.js: owns the Extract pages: the list of included studies with their extraction state
// (and, for leads, the form editor), the characteristics table links, and one study's extraction: the
// form with inputs for each kind of field, drafts saved as you type, blind until every extractor has
// submitted, then the extractions side by side with their differences and the lead's reconciliation.

import { api, get } from '../api.js';
import { clearErrors, fill, h, num, showErrors } from '../dom.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';

const STATUS = { none: 'Not started', draft: 'Draft saved', submitted: 'Submitted' };
const KINDS = [
  ['text', 'Text'],
  ['number', 'Number'],
  ['choice', 'One choice'],
  ['choices', 'Several choices'],
  ['date', 'Date'],
];
const hasOptions = (kind) => kind === 'choice' || kind === 'choices';

const apiBase = (slug) => `/api/reviews/${encodeURIComponent(slug)}`;
const pageBase = (slug) => `/reviews/${encodeURIComponent(slug)}/extract`;
const blank = (v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** A value as a person reads it (multiple choices joined with "; "). */
function shown(v) {
  if (blank(v)) return h('span', { class: 'muted' }, '—');
  return Array.isArray(v) ? v.join('; ') : String(v);
}

/** A key from a label: "Participants (n)" → "participants_n". */
function keyFrom(label) {
  return String(label).toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
}

/* ------------------------------------------------------------------------------------------------ */
/* Inputs for a form's fields, shared by an extractor's form and the lead's reconciliation.          */
/* ------------------------------------------------------------------------------------------------ */

function valueInputs(form, values, prefix) {
  const readers = [];
  const byKey = new Map();
  const nodes = form.fields.map((f) => {
    const id = `${prefix}-${f.key}`;
    const name = `values.${f.key}`;
    const v = values?.[f.key];
    const errorId = `${id}-error`;
    const hintId = f.help ? `${id}-hint` : null;
    const describedBy = [hintId, errorId].filter(Boolean).join(' ');
    const req = f.required ? h('span', { class: 'ex-required' }, h('span', { 'aria-hidden': 'true' }, ' *'), h('span', { class: 'visually-hidden' }, ' (required)')) : null;
    const help = f.help ? h('p', { class: 'hint', id: hintId }, f.help) : null;
    const error = h('p', { class: 'field-error', id: errorId, hidden: true });
    if (f.kind === 'choices') {
      const boxes = f.options.map((o, i) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name, id: i === 0 ? id : `${id}-${i}`, value: o, checked: Array.isArray(v) && v.includes(o), 'aria-describedby': describedBy }), o));
      readers.push([f.key, () => boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value)]);
      const node = h('fieldset', { class: 'field plain ex-field', dataset: { key: f.key, kind: f.kind } },
        h('legend', {}, f.label, req), help, h('div', { class: 'ex-checks' }, boxes), error);
      byKey.set(f.key, node);
      return node;
    }
    let control;
    if (f.kind === 'choice') {
      control = h('select', { name, id, 'aria-describedby': describedBy },
        h('option', { value: '' }, '— not chosen —'),
        f.options.map((o) => h('option', { value: o, selected: v === o }, o)));
    } else if (f.kind === 'number') {
      control = h('input', { type: 'text', inputmode: 'decimal', name, id, value: blank(v) ? '' : String(v), autocomplete: 'off', 'aria-describedby': describedBy });
    } else if (f.kind === 'date') {
      control = h('input', { type: 'text', name, id, value: v ?? '', placeholder: 'YYYY-MM-DD, YYYY-MM or YYYY', autocomplete: 'off', 'aria-describedby': describedBy });
    } else {
      control = h('textarea', { name, id, rows: '2', 'aria-describedby': describedBy });
      control.value = v ?? '';
    }
    readers.push([f.key, () => {
      const raw = control.value.trim();
      if (raw === '') return null;
      if (f.kind === 'number') {
        const n = Number(raw.replace(',', '.'));
        return Number.isFinite(n) ? n : raw;
      }
      return f.kind === 'text' ? control.value : raw;
    }]);
    const node = h('div', { class: 'field ex-field', dataset: { key: f.key, kind: f.kind } },
      h('label', { for: id }, f.label, req), help, control, error);
    byKey.set(f.key, node);
    return node;
  });
  const collect = () => {
    const out = {};
    for (const [key, read] of readers) {
      const v = read();
      if (!blank(v)) out[key] = v;
    }
    return out;
  };
  const set = (key, value) => {
    const node = byKey.get(key);
    if (!node) return;
    for (const box of node.querySelectorAll('input[type="checkbox"]')) box.checked = Array.isArray(value) && value.includes(box.value);
    const el = node.querySelector('select, textarea, input[type="text"]');
    if (el) el.value = blank(value) ? '' : String(value);
    (node.querySelector('input, select, textarea'))?.focus();
  };
  return { nodes, collect, set };
}

/* ------------------------------------------------------------------------------------------------ */
/* The list of studies and the form editor.                                                          */
/* ------------------------------------------------------------------------------------------------ */

function studiesTable(slug, data, lead) {
  const studies = data.studies ?? [];
  if (!studies.length) {
    return h('p', { class: 'lede', id: 'extraction-empty' }, 'No studies to extract yet: a study appears here once it is included at full text.');
  }
  const head = ['Study', 'Title', 'Your extraction', ...(lead ? ['Submitted', 'Differences', 'Complete'] : ['Complete'])];
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'extraction-studies', class: 'ap-studies' },
      h('caption', { class: 'visually-hidden' }, 'Studies to extract'),
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i >= 3 ? 'num' : null }, t)))),
      h('tbody', {}, studies.map((s) => h('tr', { dataset: { item: s.item_id, status: s.my_status, complete: String(Boolean(s.complete)) } },
        h('th', { scope: 'row' }, h('a', { href: `${pageBase(slug)}/${s.item_id}` }, s.label || `Study ${s.item_id}`)),
        h('td', {}, s.title ?? ''),
        h('td', {}, h('span', { class: `ap-status s-${s.my_status}` }, STATUS[s.my_status] ?? s.my_status)),
        lead ? [
          h('td', { class: 'num' }, s.submitted === null || s.submitted === undefined ? '—' : `${num(s.submitted)} of ${num(data.form.extractors)}`),
          h('td', { class: 'num' }, s.differences ? (s.reconciled ? 'Reconciled' : num(s.differences.length)) : '—'),
        ] : null,
        h('td', { class: 'num' }, s.complete ? h('span', { class: 'ap-done' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Complete') : h('span', { class: 'muted' }, 'Not yet')),
      ))),
    ));
}

function formEditor(base, data, onSaved) {
  const fields = structuredClone(data.form.fields ?? []);
  let extractors = Number(data.form.extractors ?? 2);
  const list = h('ol', { class: 'ex-editor-fields', id: 'ex-editor-fields' });
  const error = h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
  const save = h('button', { type: 'submit', class: 'primary', id: 'save-extraction-form' }, 'Save the form');

  const row = (f, i) => {
    const at = `fields[${i}]`;
    const id = (p) => `ex-f${i}-${p}`;
    const input = (prop, attrs) => {
      const el = h('input', { type: 'text', id: id(prop), name: `${at}.${prop}`, value: f[prop] ?? '', autocomplete: 'off', 'aria-describedby': `${id(prop)}-error`, ...attrs });
      el.addEventListener('input', () => {
        const keyWasAuto = prop === 'label' && (f.key === '' || f.key === keyFrom(f.label ?? ''));
        f[prop] = el.value;
        if (keyWasAuto) {
          f.key = keyFrom(el.value);
          const k = document.getElementById(id('key'));
          if (k) k.value = f.key;
        }
      });
      return el;
    };
    const labelled = (text, control, prop, hint) => h('div', { class: 'field' },
      h('label', { for: control.id }, text), hint ? h('p', { class: 'hint' }, hint) : null, control,
      h('p', { class: 'field-error', id: `${id(prop)}-error`, hidden: true }));
    const kind = h('select', { id: id('kind'), name: `${at}.kind` }, KINDS.map(([k, label]) => h('option', { value: k, selected: f.kind === k }, label)));
    const options = h('textarea', { id: id('options'), name: `${at}.options`, rows: '3', 'aria-describedby': `${id('options')}-error` });
    options.value = (f.options ?? []).join('\n');
    options.addEventListener('input', () => { f.options = options.value.split('\n').map((o) => o.trim()).filter(Boolean); });
    const optionsField = labelled('Options', options, 'options', 'One per line.');
    optionsField.hidden = !hasOptions(f.kind);
    kind.addEventListener('change', () => { f.kind = kind.value; optionsField.hidden = !hasOptions(f.kind); });
    const required = h('input', { type: 'checkbox', id: id('required'), checked: Boolean(f.required) });
    required.addEventListener('change', () => { f.required = required.checked; });
    const moveBtn = (d, text) => h('button', { type: 'button', class: 'link', disabled: (d < 0 && i === 0) || (d > 0 && i === fields.length - 1),
      'aria-label': `${text}: ${f.label || `field ${i + 1}`}`, onclick: () => {
        const j = i + d;
        [fields[i], fields[j]] = [fields[j], fields[i]];
        draw();
        document.getElementById(`ex-f${j}-label`)?.focus();
      } }, text);
    return h('li', { class: 'ex-editor-field card', dataset: { index: String(i) } },
      h('div', { class: 'ex-editor-grid' },
        labelled('Label', input('label'), 'label'),
        labelled('Key', input('key', { spellcheck: 'false', class: 'ex-key' }), 'key', 'Lower-case letters, digits and _; keep it once extraction has started.'),
        h('div', { class: 'field' }, h('label', { for: kind.id }, 'Kind'), kind),
        h('label', { class: 'check ex-required-box' }, required, 'Required')),
      optionsField,
      labelled('Guidance for extractors', input('help'), 'help'),
      h('div', { class: 'actions ex-editor-actions' }, moveBtn(-1, 'Move up'), moveBtn(1, 'Move down'),
        h('button', { type: 'button', class: 'link danger', 'aria-label': `Remove ${f.label || `field ${i + 1}`}`, onclick: () => {
          fields.splice(i, 1);
          draw();
          (document.getElementById(`ex-f${Math.max(0, i - 1)}-label`) ?? document.getElementById('add-extraction-field'))?.focus();
        } }, 'Remove')));
  };
  const draw = () => fill(list, fields.map(row));
  const add = h('button', { type: 'button', id: 'add-extraction-field', onclick: () => {
    fields.push({ key: '', label: '', kind: 'text', options: [], required: false, help: null });
    draw();
    document.getElementById(`ex-f${fields.length - 1}-label`)?.focus();
  } }, 'Add a field');
  const radios = [1, 2].map((n) => {
    const input = h('input', { type: 'radio', name: 'extractors', id: n === 1 ? 'f-extractors' : `f-extractors-${n}`, value: String(n), checked: extractors === n });
    input.addEventListener('change', () => { extractors = n; });
    return h('label', { class: 'check' }, input, n === 1 ? 'One extractor per study' : 'Two independent extractors per study, then a lead reconciles');
  });
  const form = h('form', { class: 'stack card', id: 'extraction-form-editor', novalidate: true, 'aria-labelledby': 'ex-editor-title' },
    h('h2', { id: 'ex-editor-title' }, 'The extraction form'),
    h('p', { class: 'hint' }, 'The characteristics every study is described by: one field per column of the characteristics table.'),
    error,
    h('fieldset', { class: 'plain ap-radios' }, h('legend', {}, 'Extractors per study'), radios,
      h('p', { class: 'field-error', id: 'f-extractors-error', hidden: true })),
    list,
    h('div', { class: 'actions' }, add, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      const body = { extractors, fields: fields.map((f) => ({ ...f, options: hasOptions(f.kind) ? f.options ?? [] : [], help: blank(f.help) ? null : f.help })) };
      await api('PUT', `${base}/extraction/form`, body);
      toast('Extraction form saved');
      onSaved();
    } catch (err) {
      showErrors(form, err);
    } finally {
      save.disabled = false;
    }
  });
  draw();
  return h('details', { class: 'ex-editor', id: 'ex-editor', open: !(data.form.fields ?? []).length }, h('summary', {}, 'Edit the extraction form'), form);
}

function exportsView(base) {
  return h('section', { class: 'card', id: 'extraction-exports', 'aria-labelledby': 'ex-exports-title' },
    h('h2', { id: 'ex-exports-title' }, 'Characteristics table'),
    h('ul', { class: 'downloads' },
      h('li', {}, h('a', { href: `${base}/extraction/characteristics.csv`, download: '' }, 'Characteristics table (CSV)'), h('span', { class: 'hint' }, ' (one row per study, one column per field)')),
      h('li', {}, h('a', { href: `${base}/extraction/characteristics.html`, target: '_blank', rel: 'noopener' }, 'Characteristics table (HTML)'), h('span', { class: 'hint' }, ' (opens in a new tab; print or paste into a manuscript)'))),
    h('p', { class: 'muted small' }, 'A study’s row stays empty until its extraction is complete.'));
}

async function renderList({ main, slug, alive }) {
  const base = apiBase(slug);
  let review;
  let data;
  try {
    [review, data] = await Promise.all([loadReview(slug, 'Extract'), get(`${base}/extraction`)]);
  } catch (err) {
    if (alive()) showProblem(main, 'The extraction could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const lead = isLead(review);
  const reload = async () => {
    try {
      data = await get(`${base}/extraction`);
    } catch (err) {
      toast(err.detail, { problem: true });
      return;
    }
    if (alive()) draw(false);
  };
  const draw = (focus) => {
    const studies = data.studies ?? [];
    const mine = studies.filter((s) => s.my_status === 'submitted').length;
    const noForm = !(data.form.fields ?? []).length;
    fill(main,
      h('h1', {}, 'Extract'),
      h('p', { class: 'lede' },
        noForm
          ? (lead ? 'Define the extraction form below: the characteristics each included study is described by.' : 'A lead has not defined the extraction form yet.')
          : `You have submitted ${num(mine)} of ${num(studies.length)} extraction${studies.length === 1 ? '' : 's'}. ${Number(data.form.extractors) === 2 ? 'Two extractors describe each study independently; you see the other’s values once you have both submitted.' : 'One extractor describes each study.'}`),
      h('h2', {}, 'Studies'),
      studiesTable(slug, data, lead),
      noForm ? null : exportsView(base),
      lead ? formEditor(base, data, reload) : null);
    if (focus) focusHeading(main);
  };
  draw(true);
}

/* ------------------------------------------------------------------------------------------------ */
/* One study.                                                                                        */
/* ------------------------------------------------------------------------------------------------ */

export async function render(ctx) {
  const { params } = ctx;
  if (!params.item) return renderList({ ...ctx, slug: params.slug });
  return renderStudy({ ...ctx, slug: params.slug, itemId: params.item });
}

function compareTable(form, columns, differences) {
  const differs = new Set(differences ?? []);
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'ex-compare', class: 'ap-compare' },
      h('caption', {}, 'The extractions side by side', differs.size ? ` (${num(differs.size)} field${differs.size === 1 ? '' : 's'} differ)` : ''),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), columns.map((c) => h('th', { scope: 'col' }, c.name, c.submitted === false ? h('span', { class: 'muted' }, ' (draft)') : null)))),
      h('tbody', {}, form.fields.map((f) => {
        const d = differs.has(f.key);
        return h('tr', { class: d ? 'differs' : null, dataset: { key: f.key } },
          h('th', { scope: 'row' }, f.label, d ? h('span', { class: 'ap-differs' }, h('span', { 'aria-hidden': 'true' }, ' ≠'), h('span', { class: 'visually-hidden' }, ' (values differ)')) : null),
          columns.map((c) => h('td', {}, shown(c.values?.[f.key]))));
      }))));
}

async function renderStudy({ main, slug, itemId, alive }) {
  const base = apiBase(slug);
  const path = `${base}/extraction/studies/${encodeURIComponent(itemId)}`;
  let review;
  let view;
  try {
    [review, view] = await Promise.all([loadReview(slug, 'Extract'), get(path)]);
  } catch (err) {
    if (alive()) showProblem(main, 'This study could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const lead = isLead(review);
  const contributor = lead || review.roles.includes('reviewer');
  let timer = null;
  let saving = Promise.resolve();

  const draw = (focus) => {
    const form = view.form;
    const parts = [];
    const mine = view.mine;
    const locked = mine?.submitted;
    if (!form.fields.length) {
      parts.push(h('p', { class: 'lede' }, 'The extraction form is not defined yet; a lead defines it on the ', h('a', { href: pageBase(slug) }, 'Extract page'), '.'));
    } else if (view.final) {
      parts.push(h('section', { class: 'ap-final', id: 'ex-final', 'aria-labelledby': 'ex-final-title' },
        h('h2', { id: 'ex-final-title' }, view.reconciled ? 'Reconciled values' : 'Final values'),
        h('dl', { class: 'ex-values' }, form.fields.map((f) => [h('dt', {}, f.label), h('dd', {}, shown(view.final[f.key]))]))));
    }
    if (form.fields.length && contributor && !locked) parts.push(extractorForm(form));
    if (locked) {
      parts.push(h('p', { class: 'muted', id: 'ex-locked' }, 'You have submitted this extraction; it is locked.',
        view.others.length || lead || view.complete || Number(form.extractors) < 2 ? '' : ' Blind: the other extractor’s values appear here once they have submitted theirs.'));
    }
    const columns = [];
    if (mine) columns.push({ name: 'You', values: mine.values, submitted: mine.submitted });
    for (const o of view.others ?? []) columns.push({ name: o.name || `Extractor ${o.extractor_id}`, values: o.values, submitted: o.submitted });
    if (form.fields.length && (view.others ?? []).length) parts.push(compareTable(form, columns, view.differences));
    if (lead && view.differences && (view.differences.length || view.reconciled) && Number(form.extractors) >= 2) parts.push(reconcileForm(form));
    else if (view.differences && !view.differences.length && Number(form.extractors) >= 2) parts.push(h('p', { class: 'muted', id: 'ex-agree' }, 'The extractors agree on every field.'));

    fill(main,
      h('div', { class: 'ap-study', id: 'extract-study', dataset: { item: itemId } },
        h('p', { class: 'ap-study-nav' }, h('a', { href: pageBase(slug) }, '← All studies')),
        h('div', { class: 'ap-head' },
          h('h1', {}, view.label || `Study ${itemId}`),
          h('span', { class: `ap-status s-${view.my_status}`, id: 'ex-my-status' }, `Your extraction: ${STATUS[view.my_status]}`),
          view.complete ? h('span', { class: 'ap-done' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Complete') : null),
        view.title ? h('p', { class: 'ap-title' }, view.title) : null,
        view.file_url ? h('p', { class: 'small' }, h('a', { href: view.file_url, target: '_blank', rel: 'noopener' }, 'Open the full text (PDF)')) : null,
        h('div', { class: 'ap-main' }, parts)));
    if (focus) focusHeading(main);
  };

  function extractorForm(form) {
    const inputs = valueInputs(form, view.mine?.values ?? {}, 'mine');
    const state = h('p', { class: 'save-state', id: 'ex-save-state', role: 'status' }, view.mine ? 'Draft saved.' : '');
    const error = h('p', { class: 'form-error', id: 'ex-form-error', role: 'alert', tabindex: '-1', hidden: true });
    const f = h('form', { class: 'ex-form', id: 'extraction-form', novalidate: true, 'aria-labelledby': 'ex-form-title' },
      h('h2', { id: 'ex-form-title' }, 'Your extraction'),
      h('p', { class: 'hint' }, 'Drafts save as you type. Fields marked * are needed to submit.'),
      inputs.nodes,
      h('div', { class: 'ap-bar' }, error,
        h('div', { class: 'ap-actions actions' },
          h('button', { type: 'button', id: 'save-extraction', onclick: () => put(false, true) }, 'Save draft'),
          h('button', { type: 'submit', id: 'submit-extraction', class: 'primary', 'aria-describedby': 'ex-final-hint' }, 'Submit'),
          state),
        h('p', { class: 'hint small', id: 'ex-final-hint' }, 'Submitting is final: your values cannot change afterwards.')));
    const put = (submit, announce) => {
      clearTimeout(timer);
      saving = saving.then(async () => {
        state.textContent = submit ? 'Submitting…' : 'Saving…';
        state.classList.remove('problem');
        try {
          view = await api('PUT', `${path}/mine`, { values: inputs.collect(), submit }, { quiet: !submit && !announce });
          if (!alive()) return;
          if (submit) {
            toast('Extraction submitted');
            draw(true);
            return;
          }
          clearErrors(f);
          state.textContent = `Draft saved at ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`;
        } catch (err) {
          if (!alive()) return;
          showErrors(f, err);
          state.textContent = submit ? 'Not submitted: see the fields marked.' : 'Draft not saved: see the fields marked.';
          state.classList.add('problem');
        }
      });
      return saving;
    };
    f.addEventListener('input', () => {
      clearTimeout(timer);
      state.textContent = 'Unsaved changes…';
      timer = setTimeout(() => { if (alive()) put(false, false); }, 1500);
    });
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      put(true, true);
    });
    return f;
  }

  function reconcileForm(form) {
    const extractions = [...(view.mine?.submitted ? [{ name: 'You', values: view.mine.values }] : []),
      ...(view.others ?? []).filter((o) => o.submitted).map((o) => ({ name: o.name || `Extractor ${o.extractor_id}`, values: o.values }))];
    const start = view.reconciled ?? extractions[0]?.values ?? {};
    const inputs = valueInputs(form, start, 'rec');
    const differs = new Set(view.differences ?? []);
    // Beside each differing field: take one extractor's value with one button.
    for (const node of inputs.nodes) {
      const key = node.dataset.key;
      if (!differs.has(key)) continue;
      node.classList.add('ex-differs');
      node.append(h('div', { class: 'ex-take actions' }, extractions.map((x) => h('button', { type: 'button', class: 'link', onclick: () => inputs.set(key, x.values?.[key]) },
        `Use ${x.name === 'You' ? 'yours' : `${x.name}’s`}: `, h('span', { class: 'ex-take-value' }, blank(x.values?.[key]) ? '(blank)' : (Array.isArray(x.values[key]) ? x.values[key].join('; ') : String(x.values[key])))))));
    }
    const save = h('button', { type: 'submit', class: 'primary', id: 'save-reconciled' }, 'Save the reconciled values');
    const f = h('form', { class: 'ap-consensus card', id: 'reconcile-form', novalidate: true, 'aria-labelledby': 'reconcile-title' },
      h('h2', { id: 'reconcile-title' }, 'Reconcile'),
      h('p', { class: 'muted' }, 'Settle each differing field (marked ≠), after discussion; the other fields start from the agreed values.'),
      h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
      inputs.nodes,
      h('div', { class: 'actions' }, save));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      save.disabled = true;
      try {
        view = await api('PUT', `${path}/reconciled`, { values: inputs.collect() });
        toast('Reconciled values saved');
        if (alive()) draw(true);
      } catch (err) {
        showErrors(f, err);
      } finally {
        save.disabled = false;
      }
    });
    return f;
  }

  draw(true);
}
