// pages/appraise.js: owns the Appraise pages: the list of included studies with their appraisal state
// (and, for leads, the instrument, appraisers per study, exports and the traffic-light plot), and one
// study's appraisal: the checklist beside its PDF, drafts kept in this browser until saved, blind until
// every appraiser has submitted, then the answers side by side and the lead's reconciliation.

import { api, get, post } from '../api.js';
import { clearErrors, field, fill, h, num, sentence, showErrors } from '../dom.js';
import { setHelpExtra, setKeys, showHelp } from '../keys.js';
import { currentUser } from '../layout.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';

/** A rating as text as well as colour: the same symbols as the traffic-light plot. */
const RATING = {
  good: { symbol: '+', word: 'good' },
  concern: { symbol: '!', word: 'some concern' },
  bad: { symbol: '−', word: 'poor' },
  unclear: { symbol: '?', word: 'unclear' },
  not_applicable: { symbol: 'NA', word: 'not applicable' },
};
const STATUS = { none: 'Not started', draft: 'Draft saved', submitted: 'Submitted' };
const DRAFTS = 'sift-appraisal:';

const apiBase = (slug) => `/api/reviews/${encodeURIComponent(slug)}`;
const pageBase = (slug) => `/reviews/${encodeURIComponent(slug)}/appraise`;
const blank = (s) => s === null || s === undefined || String(s).trim() === '';
const clean = (s) => (blank(s) ? null : String(s).trim());

/** The instrument's items in order, then its overall item. */
function allItems(instrument) {
  const items = (instrument.sections ?? []).flatMap((s) => s.items ?? []);
  return instrument.overall ? [...items, instrument.overall] : items;
}

/** The allowed answers of an item, or [] for a free-text item. */
function optionsOf(instrument, item) {
  if (!item?.answer_set) return [];
  return instrument.answer_sets?.find((s) => s.name === item.answer_set)?.answers ?? [];
}

/** Who wrote the instrument, as a short name for "… suggests stopping here" (CASP, JBI, or "The checklist"). */
function shortName(instrument) {
  const first = String(instrument.name ?? '').split(/\s+/)[0];
  return /^[A-Z]{2,}$/.test(first) ? first : 'The checklist';
}

/** An item's number before its text ("3. "), left out when the text starts with it ("Overall appraisal"). */
function numberOf(item, dot = '') {
  const n = String(item.number ?? '');
  if (!n || String(item.text ?? '').toLowerCase().startsWith(n.toLowerCase())) return null;
  return [h('span', { class: 'ap-num' }, /^\d/.test(n) ? `${n}${dot}` : n), ' '];
}

function ratingBadge(rating) {
  const r = RATING[rating];
  if (!r) return null;
  return h('span', { class: `ap-rate r-${rating}`, title: r.word }, h('span', { 'aria-hidden': 'true' }, r.symbol), h('span', { class: 'visually-hidden' }, ` (${r.word})`));
}

/** An answer as words: the rating symbol and label, or the free text, or "No answer". */
function answerView(instrument, item, answer) {
  if (!item) return h('span', { class: 'muted' }, '—');
  if (!item.answer_set) {
    return blank(answer?.text) ? h('span', { class: 'muted ap-none' }, 'No answer') : h('span', { class: 'ap-text' }, answer.text);
  }
  const option = optionsOf(instrument, item).find((o) => o.key === answer?.key);
  if (!option) return h('span', { class: 'muted ap-none' }, blank(answer?.key) ? 'No answer' : answer.key);
  return h('span', { class: 'ap-answer' }, ratingBadge(option.rating), ' ', option.label);
}

function answerExtras(answer) {
  if (!answer) return null;
  return [
    blank(answer.comment) ? null : h('span', { class: 'ap-comment' }, answer.comment),
    blank(answer.quote) ? null : h('span', { class: 'ap-quote' }, h('q', {}, answer.quote), blank(answer.page) ? '' : ` (p. ${answer.page})`),
    blank(answer.quote) && !blank(answer.page) ? h('span', { class: 'ap-quote' }, `p. ${answer.page}`) : null,
  ];
}

/** The instrument's name, attribution and licence, and whether its wording is partly paraphrased. */
function instrumentView(instrument) {
  return h('section', { class: 'ap-instrument card', id: 'ap-instrument', 'aria-labelledby': 'ap-instrument-name' },
    h('h2', { id: 'ap-instrument-name' }, instrument.name, instrument.version ? h('span', { class: 'muted' }, ` · ${instrument.version}`) : null),
    h('p', { class: 'ap-attribution small', id: 'ap-attribution' }, instrument.attribution, ' ', h('span', { class: 'muted' }, instrument.licence)),
    instrument.verified === false
      ? h('p', { class: 'ap-paraphrased small', id: 'ap-paraphrased' }, h('strong', {}, 'Wording partly paraphrased. '), instrument.note ?? '')
      : null,
    instrument.description ? h('details', { class: 'ap-description' }, h('summary', {}, 'How to use this checklist'), h('p', {}, instrument.description)) : null,
  );
}

/* ------------------------------------------------------------------------------------------------ */
/* The list of studies.                                                                               */
/* ------------------------------------------------------------------------------------------------ */

function studiesTable(slug, data, lead) {
  const studies = data.studies ?? [];
  if (!studies.length) {
    return h('p', { class: 'lede', id: 'appraisal-empty' }, 'No studies to appraise yet: a study appears here once it is included at full text.');
  }
  const head = ['Study', 'Title', 'Your appraisal', ...(lead ? ['Submitted', 'Disagreements', 'Complete'] : [])];
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'appraisal-studies', class: 'ap-studies' },
      h('caption', { class: 'visually-hidden' }, 'Studies to appraise'),
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i >= 3 ? 'num' : null }, t)))),
      h('tbody', {}, studies.map((s) => h('tr', { dataset: { item: s.item_id, status: s.my_status, complete: String(Boolean(s.complete)) } },
        h('th', { scope: 'row' }, h('a', { href: `${pageBase(slug)}/${s.item_id}` }, s.label || `Study ${s.item_id}`)),
        h('td', {}, s.title ?? ''),
        h('td', {}, h('span', { class: `ap-status s-${s.my_status}` }, STATUS[s.my_status] ?? s.my_status)),
        lead ? [
          h('td', { class: 'num' }, s.submitted === null || s.submitted === undefined ? '—' : `${num(s.submitted)} of ${num(data.appraisers)}`),
          h('td', { class: 'num' }, s.disagreements === null || s.disagreements === undefined ? '—' : num(s.disagreements)),
          h('td', { class: 'num' }, s.complete ? h('span', { class: 'ap-done' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Complete') : h('span', { class: 'muted' }, 'Not yet')),
        ] : null,
      ))),
    ));
}

function settingsForm(base, data, instruments, onSaved) {
  const select = h('select', { name: 'instrument_id' },
    (instruments.some((i) => i.id === data.instrument.id) ? instruments : [data.instrument, ...instruments]).map((i) => h('option', { value: i.id, selected: i.id === data.instrument.id },
      `${i.name}${i.version ? ` (${i.version})` : ''}${i.verified === false ? ' · wording partly paraphrased' : ''}`)));
  const radios = [1, 2].map((n) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'appraisers', id: n === 1 ? 'f-appraisers' : `f-appraisers-${n}`, value: String(n), checked: Number(data.appraisers) === n }),
    n === 1 ? 'One appraiser per study' : 'Two independent appraisers per study, then a lead reconciles'));
  const save = h('button', { type: 'submit', class: 'primary', id: 'save-appraisal-settings' }, 'Save');
  const form = h('form', { class: 'stack card', id: 'appraisal-settings', novalidate: true, 'aria-labelledby': 'ap-settings-title' },
    h('h2', { id: 'ap-settings-title' }, 'Instrument and appraisers'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    field('Checklist', select, { hint: 'Every study in this review is appraised with the same checklist.' }),
    h('fieldset', { class: 'plain ap-radios' },
      h('legend', {}, 'Appraisers per study'),
      radios,
      h('p', { class: 'field-error', id: 'f-appraisers-error', hidden: true })),
    h('div', { class: 'actions' }, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      const appraisers = Number(form.querySelector('input[name="appraisers"]:checked')?.value ?? data.appraisers);
      await api('PUT', `${base}/appraisal/settings`, { instrument_id: select.value, appraisers });
      toast('Appraisal settings saved');
      onSaved();
    } catch (err) {
      showErrors(form, err);
    } finally {
      save.disabled = false;
    }
  });
  return { form, select };
}

function importForm(base, onAdded) {
  const toml = h('textarea', { name: 'toml', rows: '10', class: 'ap-toml', spellcheck: 'false' });
  const file = h('input', { type: 'file', name: 'toml_file', accept: '.toml,text/plain' });
  const problems = h('div', { class: 'form-error ap-problems', role: 'alert', tabindex: '-1', id: 'instrument-problems', hidden: true });
  const add = h('button', { type: 'submit', id: 'add-instrument' }, 'Add the checklist');
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) toml.value = await f.text();
  });
  const form = h('form', { class: 'stack', id: 'instrument-import', novalidate: true },
    h('p', { class: 'hint' }, 'A checklist written as TOML, in the format of sift’s built-in ones (see crates/review/instruments/README.md). Every problem is listed at once.'),
    field('Load a file', file, { optional: true }),
    field('Checklist (TOML)', toml),
    problems,
    h('div', { class: 'actions' }, add));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    problems.hidden = true;
    add.disabled = true;
    try {
      const instrument = await post(`${base}/appraisal/instruments`, { toml: toml.value });
      toast(`Added ${instrument.name}: choose it above and save to use it`);
      toml.value = '';
      file.value = '';
      onAdded(instrument);
    } catch (err) {
      const list = (err.errors ?? []).map((x) => x.message ?? String(x));
      fill(problems, h('p', {}, err.detail), list.length ? h('ul', {}, list.map((m) => h('li', {}, m))) : null);
      problems.hidden = false;
      problems.focus();
    } finally {
      add.disabled = false;
    }
  });
  return h('details', { class: 'card ap-import' }, h('summary', {}, 'Add a checklist of your own'), form);
}

function exportsView(base, slug) {
  const link = (href, label, hint, download = true) => h('li', {},
    h('a', { href, download: download ? '' : null, target: download ? null : '_blank', rel: download ? null : 'noopener' }, label),
    hint ? h('span', { class: 'hint' }, ` ${hint}`) : null);
  return h('section', { class: 'card', id: 'appraisal-exports', 'aria-labelledby': 'ap-exports-title' },
    h('h2', { id: 'ap-exports-title' }, 'Exports'),
    h('ul', { class: 'downloads' },
      link(`${base}/appraisal/table.csv`, 'Appraisal table (CSV)', '(one row per study, one column per question)'),
      link(`${base}/appraisal/table.html`, 'Appraisal table (HTML)', '(opens in a new tab; paste into a manuscript)', false),
      link(`${base}/appraisal/traffic-light.svg`, 'Traffic-light plot (SVG)')),
    h('p', { class: 'muted small' }, 'Only complete (reconciled) appraisals are in the exports. ',
      h('a', { href: `/reviews/${encodeURIComponent(slug)}/reports` }, 'Other reports'), '.'));
}

async function renderList({ main, slug, alive }) {
  const base = apiBase(slug);
  let review;
  let data;
  try {
    [review, data] = await Promise.all([loadReview(slug, 'Appraise'), get(`${base}/appraisal`)]);
  } catch (err) {
    if (alive()) showProblem(main, 'The appraisal could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const lead = isLead(review);
  let instruments = [];
  if (lead) {
    try {
      instruments = await get('/api/instruments');
    } catch (err) {
      toast(`The list of checklists could not be loaded: ${err.detail}`, { problem: true });
    }
    if (!alive()) return;
  }

  const reload = async () => {
    try {
      data = await get(`${base}/appraisal`);
      if (lead) instruments = await get('/api/instruments');
    } catch (err) {
      toast(err.detail, { problem: true });
      return;
    }
    if (alive()) draw(false);
  };

  const draw = (focus) => {
    const studies = data.studies ?? [];
    const mineDone = studies.filter((s) => s.my_status === 'submitted').length;
    const complete = studies.filter((s) => s.complete).length;
    const settings = lead ? settingsForm(base, data, instruments, reload) : null;
    const added = (instrument) => {
      instruments = instruments.some((i) => i.id === instrument.id) ? instruments : [...instruments, instrument];
      const select = settings.select;
      select.append(h('option', { value: instrument.id }, `${instrument.name}${instrument.version ? ` (${instrument.version})` : ''}${instrument.verified === false ? ' · wording partly paraphrased' : ''}`));
      select.value = instrument.id;
      select.focus();
    };
    fill(main,
      h('h1', {}, 'Appraise'),
      h('p', { class: 'lede' },
        studies.length
          ? `You have submitted ${num(mineDone)} of ${num(studies.length)} appraisal${studies.length === 1 ? '' : 's'}. ${data.appraisers === 2 ? 'Two appraisers judge each study independently; you see the other’s answers once you have both submitted.' : 'One appraiser judges each study.'}`
          : 'Each included study is appraised with the checklist below.'),
      instrumentView(data.instrument),
      h('h2', {}, 'Studies'),
      studiesTable(slug, data, lead),
      complete
        ? h('figure', { class: 'ap-figure' },
          h('img', { id: 'traffic-light', src: `${base}/appraisal/traffic-light.svg?n=${complete}`, alt: `Traffic-light plot of the ${num(complete)} complete appraisal${complete === 1 ? '' : 's'}: one row per study, one column per question, each answer as a coloured symbol (+ yes, ? unclear, − no, ! concern, NA not applicable). The same answers are in the appraisal table.` }),
          h('figcaption', {}, `Complete appraisals (${num(complete)} of ${num(studies.length)}).`))
        : null,
      lead ? [settings.form, importForm(base, added), exportsView(base, slug)] : null,
    );
    if (focus) focusHeading(main);
  };
  draw(true);
}

/* ------------------------------------------------------------------------------------------------ */
/* One study.                                                                                        */
/* ------------------------------------------------------------------------------------------------ */

function draftKey(slug, itemId) {
  return `${DRAFTS}${currentUser()?.id ?? 'anon'}:${slug}:${itemId}`;
}

function readDraft(key) {
  try {
    const d = JSON.parse(localStorage.getItem(key) ?? 'null');
    return d && Array.isArray(d.answers) ? d : null;
  } catch {
    return null;
  }
}

function writeDraft(key, answers) {
  try {
    localStorage.setItem(key, JSON.stringify({ saved_at: Date.now(), answers }));
  } catch {
    // Storage full or switched off: the form still holds what was typed.
  }
}

function dropDraft(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing to drop.
  }
}

/** Answers compared for "anything different?", ignoring empty fields. */
function same(a, b) {
  const norm = (list) => JSON.stringify((list ?? [])
    .map((x) => [x.item, clean(x.key), clean(x.text), clean(x.comment), clean(x.quote), clean(x.page)])
    .filter((x) => x.slice(1).some((v) => v !== null))
    .sort((p, q) => String(p[0]).localeCompare(String(q[0]))));
  return norm(a) === norm(b);
}

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export async function render(ctx) {
  const { main, params } = ctx;
  const slug = params.slug;
  if (!params.item) return renderList({ ...ctx, slug });
  return renderStudy({ ...ctx, slug, itemId: params.item });
}

async function renderStudy({ main, slug, itemId, alive }) {
  const base = apiBase(slug);
  const studyPath = `${base}/appraisal/studies/${encodeURIComponent(itemId)}`;
  let review;
  let data;
  let view;
  try {
    [review, data, view] = await Promise.all([loadReview(slug, 'Appraise'), get(`${base}/appraisal`), get(studyPath)]);
  } catch (err) {
    if (alive()) showProblem(main, 'This study’s appraisal could not be loaded', err);
    return undefined;
  }
  if (!alive()) return undefined;
  const lead = isLead(review);
  const instrument = data.instrument;
  const items = allItems(instrument);
  const byId = new Map(items.map((i) => [i.id, i]));
  const screening = items.filter((i) => i.screening);
  const gate = instrument.gate ?? null;
  const key = draftKey(slug, itemId);
  const studies = data.studies ?? [];

  const root = h('div', { class: 'ap-study', id: 'appraise-study', dataset: { item: itemId } });
  let form = null;
  let saveState = null;
  let writeTimer = null;
  let cur = null;
  let busy = false;

  /* ---------- The checklist form. ---------- */

  function optionRadio(item, option, n) {
    const id = `ans-${item.id}-${option.key}`;
    return h('label', { class: `ap-option r-${option.rating}`, for: id },
      h('input', { type: 'radio', id, name: `answer-${item.id}`, value: option.key, dataset: { n } }),
      h('kbd', { 'aria-hidden': 'true' }, String(n)),
      ratingBadge(option.rating),
      h('span', { class: 'ap-label' }, option.label));
  }

  function itemFieldset(item, { sectionTitle } = {}) {
    const legendId = `item-${item.id}-legend`;
    const options = optionsOf(instrument, item);
    const free = !item.answer_set;
    const textId = `text-${item.id}`;
    const comment = h('textarea', { id: `comment-${item.id}`, name: `comment-${item.id}`, rows: '2', class: 'ap-comment-box' });
    const quote = h('textarea', { id: `quote-${item.id}`, name: `quote-${item.id}`, rows: '1', class: 'ap-quote-box' });
    const page = h('input', { type: 'text', id: `page-${item.id}`, name: `page-${item.id}`, class: 'ap-page', inputmode: 'text', autocomplete: 'off' });
    return h('fieldset', { class: `ap-item${item.screening ? ' screening' : ''}`, id: `item-${item.id}`, tabindex: '-1', dataset: { item: item.id }, 'aria-labelledby': legendId },
      h('legend', { id: legendId },
        numberOf(item, '.'),
        h('span', { class: 'ap-q' }, item.text),
        item.screening ? h('span', { class: 'badge' }, 'Screening question') : null,
        sectionTitle ? h('span', { class: 'visually-hidden' }, ` (${sectionTitle})`) : null),
      item.hints?.length
        ? h('details', { class: 'ap-hints' }, h('summary', {}, `Hints (${item.hints.length})`), h('ul', {}, item.hints.map((t) => h('li', {}, t))))
        : null,
      free
        ? h('div', { class: 'ap-free' },
          h('label', { for: textId }, 'Your judgement'),
          h('textarea', { id: textId, name: `text-${item.id}`, rows: '2', class: 'ap-text-box' }))
        : h('div', { class: 'ap-options' }, options.map((o, i) => optionRadio(item, o, i + 1))),
      h('div', { class: 'ap-extra' },
        h('div', { class: 'ap-field ap-field-comment' }, h('label', { for: comment.id }, 'Comment ', h('span', { class: 'optional' }, '(optional)')), comment),
        h('div', { class: 'ap-field ap-field-quote' }, h('label', { for: quote.id }, 'Supporting quote ', h('span', { class: 'optional' }, '(optional)')), quote),
        h('div', { class: 'ap-field ap-field-page' }, h('label', { for: page.id }, 'Page', h('span', { class: 'visually-hidden' }, ' (optional)')), page)),
      h('p', { class: 'ap-after-gate hint', hidden: true }, 'Optional: the screening questions suggest stopping before this one.'),
      h('p', { class: 'field-error', id: `item-${item.id}-error`, hidden: true }),
    );
  }

  function collect() {
    return items.map((item) => {
      const fs = form.querySelector(`#item-${CSS.escape(item.id)}`);
      const val = (sel) => clean(fs?.querySelector(sel)?.value);
      return {
        item: item.id,
        key: item.answer_set ? (fs?.querySelector('input[type="radio"]:checked')?.value ?? null) : null,
        text: item.answer_set ? null : val(`[name="text-${CSS.escape(item.id)}"]`),
        comment: val(`[name="comment-${CSS.escape(item.id)}"]`),
        quote: val(`[name="quote-${CSS.escape(item.id)}"]`),
        page: val(`[name="page-${CSS.escape(item.id)}"]`),
      };
    });
  }

  function put(answers) {
    for (const fs of form.querySelectorAll('.ap-item')) {
      for (const r of fs.querySelectorAll('input[type="radio"]')) r.checked = false;
      for (const t of fs.querySelectorAll('textarea, input[type="text"]')) t.value = '';
    }
    for (const a of answers ?? []) {
      const fs = form.querySelector(`#item-${CSS.escape(String(a.item))}`);
      if (!fs) continue;
      const set = (name, v) => {
        const el = fs.querySelector(`[name="${name}-${CSS.escape(String(a.item))}"]`);
        if (el && !blank(v)) el.value = v;
      };
      if (!blank(a.key)) {
        const r = [...fs.querySelectorAll('input[type="radio"]')].find((x) => x.value === a.key);
        if (r) r.checked = true;
      }
      set('text', a.text);
      set('comment', a.comment);
      set('quote', a.quote);
      set('page', a.page);
    }
    drawGate();
  }

  /** 'pass', 'stop' (a screening item answered otherwise than the gate's answer), or 'open' (not all answered). */
  function gateState() {
    if (!gate || !screening.length || !form) return 'none';
    const keys = screening.map((i) => form.querySelector(`#item-${CSS.escape(i.id)} input[type="radio"]:checked`)?.value ?? null);
    if (keys.some((k) => k === null)) return 'open';
    return keys.every((k) => k === gate.answer) ? 'pass' : 'stop';
  }

  function drawGate() {
    if (!form || !gate) return;
    const state = gateState();
    const notice = form.querySelector('#gate-stop');
    if (notice) notice.hidden = state !== 'stop';
    const box = form.querySelector('.ap-gate');
    if (box) {
      box.dataset.state = state;
      box.classList.toggle('stop', state === 'stop');
    }
    let after = false;
    for (const fs of form.querySelectorAll('.ap-item')) {
      const item = byId.get(fs.dataset.item);
      if (!item?.screening && after) {
        fs.classList.toggle('optional', state === 'stop');
        fs.querySelector('.ap-after-gate').hidden = state !== 'stop';
      }
      if (item?.screening) after = true;
    }
  }

  function gateBox() {
    const passLabel = optionsOf(instrument, screening[0]).find((o) => o.key === gate.answer)?.label ?? gate.answer;
    return h('div', { class: 'ap-gate', id: 'ap-gate', role: 'group', 'aria-labelledby': 'ap-gate-q' },
      h('p', { id: 'ap-gate-q' }, h('strong', {}, gate.question), ' ', h('span', { class: 'muted' }, `Continue if every screening question is answered “${passLabel}”.`)),
      h('p', { class: 'ap-stop', id: 'gate-stop', role: 'status', hidden: true },
        h('span', { 'aria-hidden': 'true' }, '⏹ '),
        h('strong', {}, `${shortName(instrument)} suggests stopping here. `),
        'Not every screening question is answered “', passLabel, '”: you may leave the rest blank and submit, or carry on if the study still deserves it.'));
  }

  function showSaveState(text, problem = false) {
    if (!saveState) return;
    saveState.textContent = text;
    saveState.classList.toggle('problem', problem);
  }

  function flushDraft() {
    if (!writeTimer) return;
    clearTimeout(writeTimer);
    writeTimer = null;
    if (form?.isConnected) writeDraft(key, collect());
  }

  function scheduleDraft() {
    clearTimeout(writeTimer);
    showSaveState('Changes kept in this browser, not saved yet');
    writeTimer = setTimeout(() => {
      writeTimer = null;
      if (form?.isConnected) writeDraft(key, collect());
    }, 300);
  }

  function markErrors(err) {
    for (const fs of form.querySelectorAll('.ap-item')) {
      fs.classList.remove('missing');
      fs.removeAttribute('aria-invalid');
      const slot = fs.querySelector(`#item-${CSS.escape(fs.dataset.item)}-error`);
      slot.hidden = true;
      slot.textContent = '';
    }
    const flagged = new Map();
    for (const e of err.errors ?? []) {
      const tokens = String(e.field ?? '').split(/[^A-Za-z0-9_-]+/);
      const id = tokens.find((t) => byId.has(t));
      const idx = /answers\[(\d+)\]/.exec(String(e.field ?? ''))?.[1];
      const item = id ?? (idx !== undefined ? items[Number(idx)]?.id : undefined);
      if (item) flagged.set(item, sentence(e.message ?? 'This needs an answer'));
    }
    if (err.status === 422 && !flagged.size) {
      // No field names to go on: point at what is visibly blank (and required).
      const stop = gateState() === 'stop';
      let after = false;
      for (const item of items) {
        if (!item.screening && after && stop) continue;
        if (item.screening) after = true;
        const a = collect().find((x) => x.item === item.id);
        if (item.answer_set ? blank(a?.key) : blank(a?.text)) flagged.set(item.id, 'No answer yet.');
      }
    }
    let first = null;
    for (const [id, message] of flagged) {
      const fs = form.querySelector(`#item-${CSS.escape(id)}`);
      if (!fs) continue;
      fs.classList.add('missing');
      fs.setAttribute('aria-invalid', 'true');
      const slot = fs.querySelector(`#item-${CSS.escape(id)}-error`);
      slot.textContent = message;
      slot.hidden = false;
      first ??= fs;
    }
    return first;
  }

  async function save(submit) {
    if (busy || !form) return;
    busy = true;
    flushDraft();
    const general = form.querySelector('#ap-form-error');
    general.hidden = true;
    for (const b of form.querySelectorAll('.ap-actions button')) b.disabled = true;
    showSaveState(submit ? 'Submitting…' : 'Saving…');
    const answers = collect();
    writeDraft(key, answers);
    try {
      const updated = await api('PUT', `${studyPath}/mine`, { answers, submit });
      dropDraft(key);
      if (!alive()) return;
      view = updated;
      if (submit) {
        toast('Appraisal submitted');
        draw();
        root.querySelector('#ap-study-title')?.focus();
      } else {
        markErrors({ errors: [] });
        showSaveState(`Draft saved at ${time(Date.now())}`);
        toast('Draft saved');
      }
    } catch (err) {
      if (!alive()) return;
      showSaveState('Not saved: what you typed is kept in this browser', true);
      general.replaceChildren(err.detail);
      general.hidden = false;
      const first = err.status === 422 ? markErrors(err) : null;
      if (err.status === 409) {
        // Submitted already (perhaps in another tab): show what the server holds.
        toast(err.detail, { problem: true });
        try {
          view = await get(studyPath);
          dropDraft(key);
          if (alive()) draw();
        } catch {
          // The message above says what happened.
        }
        return;
      }
      if (first) focusItem(first);
      else general.focus();
    } finally {
      busy = false;
      if (form?.isConnected) for (const b of form.querySelectorAll('.ap-actions button')) b.disabled = false;
    }
  }

  function checklistForm() {
    const parts = [];
    let lastScreening = null;
    for (const section of instrument.sections ?? []) {
      const sectionItems = (section.items ?? []).map((item) => {
        const fs = itemFieldset(item, { sectionTitle: section.title });
        if (item.screening) lastScreening = fs;
        return fs;
      });
      parts.push(h('section', { class: 'ap-section', 'aria-labelledby': `section-${section.id}` },
        h('h3', { id: `section-${section.id}` }, section.id && section.id.length <= 3 ? `${section.id}. ` : '', section.title),
        section.description ? h('p', { class: 'muted small' }, section.description) : null,
        sectionItems));
    }
    if (instrument.overall) {
      parts.push(h('section', { class: 'ap-section', 'aria-labelledby': 'section-overall' },
        h('h3', { id: 'section-overall' }, 'Overall'),
        itemFieldset(instrument.overall)));
    }
    if (gate && lastScreening) lastScreening.after(gateBox());
    saveState = h('p', { class: 'save-state', id: 'ap-save-state', role: 'status' });
    const f = h('form', { class: 'ap-form', id: 'appraisal-form', novalidate: true, 'aria-labelledby': 'ap-form-title' },
      h('h2', { id: 'ap-form-title', class: 'visually-hidden' }, 'Your appraisal'),
      parts,
      h('div', { class: 'ap-bar' },
        h('p', { class: 'form-error', id: 'ap-form-error', role: 'alert', tabindex: '-1', hidden: true }),
        h('div', { class: 'ap-actions actions' },
          h('button', { type: 'button', id: 'save-draft', onclick: () => save(false) }, 'Save draft'),
          h('button', { type: 'submit', id: 'submit-appraisal', class: 'primary ap-submit', 'aria-describedby': 'ap-final-hint' }, 'Submit'),
          h('button', { type: 'button', class: 'link', onclick: () => showHelp() }, h('kbd', {}, '?'), ' Keys'),
          saveState),
        h('p', { class: 'hint small', id: 'ap-final-hint' }, 'Submitting is final: your answers cannot change afterwards. ',
          h('kbd', {}, '1'), '–', h('kbd', {}, '9'), ' answer · ', h('kbd', {}, 'J'), '/', h('kbd', {}, 'K'), ' next/previous question · ',
          h('kbd', {}, 'Enter'), ' next (on the last: Submit) · ', h('kbd', {}, 'Esc'), ' leave a text box')));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      save(true);
    });
    f.addEventListener('change', () => {
      drawGate();
      scheduleDraft();
    });
    f.addEventListener('input', scheduleDraft);
    return f;
  }

  /* ---------- Answers side by side, reconciliation, final answers. ---------- */

  function compareTable(id, columns, { caption, differing = null } = {}) {
    const rows = [];
    const sections = [...(instrument.sections ?? []).map((s) => ({ title: s.title, items: s.items ?? [] })),
      ...(instrument.overall ? [{ title: 'Overall', items: [instrument.overall] }] : [])];
    for (const s of sections) {
      rows.push(h('tr', { class: 'ap-section-row' }, h('th', { scope: 'colgroup', colspan: String(columns.length + 1) }, s.title)));
      for (const item of s.items) {
        const answers = columns.map((c) => (c.answers ?? []).find((a) => a.item === item.id) ?? null);
        const keys = new Set(answers.map((a) => (item.answer_set ? clean(a?.key) : clean(a?.text))));
        const differs = differing ? differing.has(item.id) : columns.length > 1 && item.answer_set && keys.size > 1;
        rows.push(h('tr', { class: differs ? 'differs' : null, dataset: { item: item.id } },
          h('th', { scope: 'row' }, numberOf(item), h('span', { class: 'ap-q small' }, item.text),
            differs ? h('span', { class: 'ap-differs' }, h('span', { 'aria-hidden': 'true' }, ' ≠'), h('span', { class: 'visually-hidden' }, ' (answers differ)')) : null),
          answers.map((a) => h('td', {}, answerView(instrument, item, a), answerExtras(a)))));
      }
    }
    return h('div', { class: 'table-wrap' },
      h('table', { id, class: 'ap-compare' },
        caption ? h('caption', {}, caption) : null,
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Question'), columns.map((c) => h('th', { scope: 'col' }, c.name, c.submitted === false ? h('span', { class: 'muted' }, ' (draft)') : null)))),
        h('tbody', {}, rows)));
  }

  function appraisals() {
    const list = [];
    if (view.mine) list.push({ name: 'You', answers: view.mine.answers, submitted: view.mine.submitted });
    for (const o of view.others ?? []) list.push({ name: o.appraiser || `Appraiser ${o.appraiser_id}`, answers: o.answers, submitted: o.submitted });
    return list;
  }

  function whoSaid(item, k) {
    const names = appraisals().filter((a) => clean((a.answers ?? []).find((x) => x.item === item)?.key) === clean(k)).map((a) => a.name);
    return names.length ? ` — ${names.join(', ')}` : '';
  }

  function consensusForm() {
    const decided = new Map((view.consensus ?? []).map((c) => [c.item, c]));
    const fieldsets = view.disagreements.map((d) => {
      const item = byId.get(d.item) ?? { id: d.item, number: d.item, text: '', answer_set: null };
      const options = optionsOf(instrument, item);
      const had = decided.get(d.item);
      const legendId = `consensus-${item.id}-legend`;
      const noteId = `consensus-note-${item.id}`;
      const both = (k) => (blank(k) ? h('span', { class: 'muted' }, 'left blank') : answerView(instrument, item, { key: k }));
      return h('fieldset', { class: 'ap-item ap-consensus-item', id: `consensus-${item.id}`, tabindex: '-1', dataset: { item: item.id }, 'aria-labelledby': legendId },
        h('legend', { id: legendId }, numberOf(item, '.'), h('span', { class: 'ap-q' }, item.text)),
        h('ul', { class: 'ap-both' },
          h('li', {}, both(d.a_key), h('span', { class: 'muted' }, whoSaid(item.id, d.a_key))),
          h('li', {}, both(d.b_key), h('span', { class: 'muted' }, whoSaid(item.id, d.b_key)))),
        options.length
          ? h('div', { class: 'ap-options', role: 'group', 'aria-label': 'Consensus answer' },
            options.map((o, i) => {
              const id = `cons-${item.id}-${o.key}`;
              return h('label', { class: `ap-option r-${o.rating}`, for: id },
                h('input', { type: 'radio', id, name: `consensus-${item.id}`, value: o.key, checked: had?.key === o.key }),
                h('kbd', { 'aria-hidden': 'true' }, String(i + 1)), ratingBadge(o.rating), h('span', { class: 'ap-label' }, o.label));
            }))
          : h('div', { class: 'ap-free' }, h('label', { for: `cons-text-${item.id}` }, 'Consensus judgement'),
            h('textarea', { id: `cons-text-${item.id}`, name: `consensus-text-${item.id}`, rows: '2', value: had?.text ?? '' })),
        h('div', { class: 'ap-field' }, h('label', { for: noteId }, 'Note on the decision ', h('span', { class: 'optional' }, '(optional)')),
          h('input', { type: 'text', id: noteId, name: `consensus-note-${item.id}`, value: had?.note ?? '' })),
        had ? h('p', { class: 'muted small' }, 'Decided', typeof had.decided_by === 'string' ? ` by ${had.decided_by}` : '', '.') : null);
    });
    const error = h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true, id: 'consensus-error' });
    const saveBtn = h('button', { type: 'submit', class: 'primary ap-submit', id: 'save-consensus' }, 'Save the consensus');
    const f = h('form', { class: 'ap-consensus card', id: 'consensus-form', novalidate: true, 'aria-labelledby': 'consensus-title' },
      h('h2', { id: 'consensus-title' }, `Reconcile ${view.disagreements.length === 1 ? 'the disagreement' : `${num(view.disagreements.length)} disagreements`}`),
      h('p', { class: 'muted' }, 'For each question the appraisers answered differently, choose the consensus answer, after discussion, and say why if it helps.'),
      fieldsets, error, h('div', { class: 'actions' }, saveBtn));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (busy) return;
      error.hidden = true;
      const decisions = view.disagreements.map((d) => ({
        item: d.item,
        key: f.querySelector(`input[name="consensus-${CSS.escape(d.item)}"]:checked`)?.value ?? null,
        text: clean(f.querySelector(`[name="consensus-text-${CSS.escape(d.item)}"]`)?.value),
        note: clean(f.querySelector(`[name="consensus-note-${CSS.escape(d.item)}"]`)?.value),
      })).filter((x) => x.key !== null || x.text !== null);
      if (!decisions.length) {
        error.textContent = 'Choose a consensus answer for at least one question first.';
        error.hidden = false;
        error.focus();
        return;
      }
      busy = true;
      saveBtn.disabled = true;
      try {
        view = await api('PUT', `${studyPath}/consensus`, { decisions });
        if (!alive()) return;
        toast(view.final ? 'Consensus saved: the appraisal is complete' : 'Consensus saved');
        draw();
        (root.querySelector('#final-answers') ? root.querySelector('#ap-final-title') : root.querySelector('#consensus-title'))?.focus();
      } catch (err) {
        if (!alive()) return;
        error.textContent = err.detail;
        error.hidden = false;
        error.focus();
      } finally {
        busy = false;
        saveBtn.disabled = false;
      }
    });
    return f;
  }

  /* ---------- Keys. ---------- */

  const itemEls = (scope = root) => [...scope.querySelectorAll('.ap-item')].filter((el) => !el.disabled && el.getClientRects().length);
  const currentItem = () => document.activeElement?.closest?.('.ap-item') ?? (cur?.isConnected ? cur : null);

  function focusItem(el) {
    if (!el) return;
    cur = el;
    const target = el.querySelector('input[type="radio"]:checked') ?? el.querySelector('input[type="radio"], textarea');
    (target ?? el).focus({ preventScroll: true });
    el.scrollIntoView({ block: 'center' });
  }

  function move(d) {
    const list = itemEls();
    if (!list.length) return;
    const i = list.indexOf(currentItem());
    const to = i === -1 ? (d > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + d));
    focusItem(list[to]);
  }

  function pick(n) {
    const el = currentItem() ?? itemEls()[0];
    if (!el) return;
    const radios = [...el.querySelectorAll('input[type="radio"]')];
    if (!radios.length) {
      focusItem(el);
      return;
    }
    const r = radios[n - 1];
    if (!r) {
      toast(`This question has ${radios.length} answers: press 1 to ${radios.length}.`, { problem: true });
      return;
    }
    r.checked = true;
    r.dispatchEvent(new Event('change', { bubbles: true }));
    cur = el;
    r.focus({ preventScroll: true });
  }

  function enter() {
    const el = currentItem();
    if (!el) return;
    const scope = el.closest('form') ?? root;
    const list = itemEls(scope);
    const i = list.indexOf(el);
    if (i === list.length - 1) scope.querySelector('.ap-submit')?.focus();
    else focusItem(list[i + 1]);
  }

  root.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const t = e.target;
    if (!(t instanceof HTMLInputElement && t.type === 'radio')) {
      // In a text box keys type; Esc leaves it for the question, so the keys work again.
      if (e.key === 'Escape' && t instanceof Element && t.matches('.ap-item textarea, .ap-item input')) {
        e.preventDefault();
        const fs = t.closest('.ap-item');
        cur = fs;
        fs.focus();
      }
      return;
    }
    // Radios are inputs, which the page-wide keys leave alone: answer them here.
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (/^[1-9]$/.test(k)) pick(Number(k));
    else if (k === 'j') move(1);
    else if (k === 'k') move(-1);
    else if (k === 'Enter') enter();
    else if (k === '?') showHelp();
    else return;
    e.preventDefault();
  });
  root.addEventListener('focusin', (e) => {
    const fs = e.target instanceof Element ? e.target.closest('.ap-item') : null;
    if (fs) cur = fs;
  });

  const enterOk = () => {
    const a = document.activeElement;
    return Boolean(a && (a === document.body || a.matches('main, h1, h2, .ap-item')) && currentItem());
  };
  setKeys([
    { key: '1', show: '1–9', label: 'Answer the current question with its 1st … 9th answer', run: () => pick(1) },
    ...Array.from({ length: 8 }, (_, i) => ({ key: String(i + 2), hidden: true, run: () => pick(i + 2) })),
    { key: 'j', label: 'Next question', repeat: true, run: () => move(1) },
    { key: 'k', label: 'Previous question', repeat: true, run: () => move(-1) },
    { key: 'Enter', show: 'Enter', label: 'Next question; on the last one, go to Submit', when: enterOk, run: enter },
    { key: 'Escape', show: 'Esc', label: 'Leave a comment or quote box (then the keys work again)', passive: true, run: () => {} },
  ]);
  setHelpExtra(() => h('section', { class: 'criteria' },
    h('h2', {}, instrument.name),
    instrument.description ? h('p', {}, instrument.description) : null,
    gate ? h('p', {}, h('strong', {}, gate.question), ` Continue if every screening question is answered “${optionsOf(instrument, screening[0]).find((o) => o.key === gate.answer)?.label ?? gate.answer}”.`) : null,
    h('p', { class: 'muted small' }, 'Ratings: + good · ? unclear · − poor · ! some concern · NA not applicable.')));

  /* ---------- The page. ---------- */

  function studyNav() {
    const i = studies.findIndex((s) => String(s.item_id) === String(itemId));
    const prev = i > 0 ? studies[i - 1] : null;
    const next = i >= 0 && i < studies.length - 1 ? studies[i + 1] : null;
    return h('nav', { class: 'ap-study-nav', 'aria-label': 'Studies' },
      h('a', { href: pageBase(slug), id: 'ap-all' }, '← All studies'),
      i >= 0 ? h('span', { class: 'muted' }, `Study ${num(i + 1)} of ${num(studies.length)}`) : null,
      prev ? h('a', { href: `${pageBase(slug)}/${prev.item_id}`, rel: 'prev' }, `Previous: ${prev.label}`) : null,
      next ? h('a', { href: `${pageBase(slug)}/${next.item_id}`, rel: 'next' }, `Next: ${next.label}`) : null);
  }

  function pdfView(url) {
    const link = h('a', { href: url, target: '_blank', rel: 'noopener', id: 'ap-pdf-link' }, 'Open the PDF in a new tab');
    return h('section', { class: 'pdf ap-pdf', 'aria-label': 'The study’s full text' },
      h('object', { data: url, type: 'application/pdf', id: 'ap-pdf', 'aria-label': 'The study’s full text (PDF)' },
        h('p', {}, 'This browser does not show PDFs inside the page. ', link.cloneNode(true))),
      h('p', { class: 'muted small' }, link));
  }

  function draw() {
    flushDraft();
    if (view.mine?.submitted) dropDraft(key);
    form = null;
    saveState = null;
    const study = view.study ?? studies.find((s) => String(s.item_id) === String(itemId)) ?? {};
    const mine = view.mine;
    const submitted = Boolean(mine?.submitted);
    const others = view.others ?? null;
    const status = submitted ? 'submitted' : mine ? 'draft' : 'none';
    const left = [];
    let restoredNote = null;

    if (view.final) {
      left.push(h('section', { class: 'ap-final', 'aria-labelledby': 'ap-final-title' },
        h('h2', { id: 'ap-final-title', tabindex: '-1' }, h('span', { 'aria-hidden': 'true' }, '✓ '), data.appraisers === 1 ? 'Final answers' : 'Reconciled answers'),
        compareTable('final-answers', [{ name: data.appraisers === 1 ? 'Final' : 'Consensus', answers: view.final }])));
    }

    if (!submitted) {
      form = checklistForm();
      put(mine?.answers ?? []);
      const local = readDraft(key);
      if (local && !same(local.answers, mine?.answers ?? [])) {
        put(local.answers);
        restoredNote = h('p', { class: 'ap-restored', id: 'ap-restored', role: 'status' },
          `Restored what you typed at ${time(local.saved_at)}, which was not saved yet. `,
          h('button', { type: 'button', class: 'link', id: 'discard-local', onclick: () => {
            dropDraft(key);
            put(mine?.answers ?? []);
            restoredNote.remove();
            showSaveState(mine ? 'Showing your saved draft' : '');
            toast('Unsaved changes discarded');
          } }, 'Discard them'), ' · Save draft keeps them.');
      } else if (local) {
        dropDraft(key);
      }
      left.push(restoredNote, form);
      if (lead && others?.length) {
        left.push(h('details', { class: 'card ap-peek', id: 'ap-others-peek' },
          h('summary', {}, `The appraisers’ answers (${num(others.length)}) — leads only; opening this unblinds you if you appraise this study too`),
          compareTable('appraisal-others', appraisals().filter((a) => a.name !== 'You'))));
      }
    } else {
      const cols = appraisals();
      const differing = lead && view.disagreements ? new Set(view.disagreements.map((d) => d.item)) : null;
      left.push(h('section', { class: 'ap-submitted', 'aria-labelledby': 'ap-mine-title' },
        h('h2', { id: 'ap-mine-title' }, others?.length ? 'The appraisals side by side' : 'Your submitted appraisal'),
        others === null && data.appraisers > 1
          ? h('p', { class: 'muted', id: 'ap-blind' }, h('span', { 'aria-hidden': 'true' }, '🔒 '), 'Blind: the other appraiser’s answers appear here once they have submitted theirs.')
          : null,
        compareTable(others?.length ? 'appraisal-compare' : 'my-answers', cols, { differing })));
    }

    if (lead && view.disagreements?.length) left.push(consensusForm());
    else if (lead && view.disagreements && !view.disagreements.length && others?.length && !view.final) {
      left.push(h('p', { class: 'muted', id: 'ap-agree' }, 'The appraisers agree on every question.'));
    }

    const layout = study.file_url
      ? h('div', { class: 'ap-layout with-pdf' }, h('div', { class: 'ap-main' }, left), pdfView(study.file_url))
      : h('div', { class: 'ap-layout' }, h('div', { class: 'ap-main' }, left,
        h('p', { class: 'muted small', id: 'ap-no-pdf' }, 'No PDF is attached to this study; attach it at full-text screening to read it here.')));

    fill(root,
      studyNav(),
      h('div', { class: 'ap-head' },
        h('h1', { id: 'ap-study-title', tabindex: '-1' }, study.label || `Study ${itemId}`),
        h('span', { class: `ap-status s-${status}`, id: 'ap-my-status' }, `Your appraisal: ${STATUS[status]}`),
        study.complete ? h('span', { class: 'ap-done' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Complete') : null),
      study.title ? h('p', { class: 'ap-title' }, study.title) : null,
      h('p', { class: 'ap-instrument-line small muted' }, instrument.name, instrument.version ? ` (${instrument.version})` : '', ' · ', instrument.attribution,
        instrument.verified === false ? h('span', {}, ' · ', h('strong', {}, 'wording partly paraphrased')) : null),
      layout);
    drawGate();
    if (form && restoredNote) showSaveState('Changes kept in this browser, not saved yet');
    else if (form && mine) showSaveState('Showing your saved draft');
  }

  const onUnload = () => flushDraft();
  window.addEventListener('beforeunload', onUnload);
  fill(main, root);
  main.classList.add('wide');
  draw();
  focusHeading(main);
  return () => {
    flushDraft();
    window.removeEventListener('beforeunload', onUnload);
    main.classList.remove('wide');
  };
}
