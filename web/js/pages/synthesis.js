// pages/synthesis.js: owns the Synthesis Code page (the included studies, one study's verbatim extracts with their codings drawn as coloured highlights, the codebook beside them, coding by selecting text then choosing a code or pressing its digit) and hands the Themes and CERQual addresses to their pages.

import { api, get, post } from '../api.js';
import { clearErrors, fill, h, num, plural, showErrors } from '../dom.js';
import { setKeys } from '../keys.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { loadReview, showProblem } from './common.js';
import { apiBase, codeTree, colourOf, kindLabel, marked, nextColour, pageBase, renameInPlace, short, spanText, subnav, swatch, toCodePoints } from './synth-common.js';
import * as themesPage from './synth-themes.js';
import * as cerqualPage from './synth-cerqual.js';

export async function render(ctx) {
  if (ctx.params.item === 'themes') return themesPage.render(ctx);
  if (ctx.params.item === 'cerqual') return cerqualPage.render(ctx);
  return renderCode(ctx);
}

const KINDS = [['quote', 'participant quote', 'Participant quote'], ['interpretation', 'author interpretation', 'Author interpretation']];

/**
 * The fields of an extract: verbatim text, kind, page, section. `prefix` makes the ids
 * (`extract-text`, `extract-kind-quote` …); a locked extract shows its text read-only.
 */
function extractFields(prefix, values = {}, { locked = false } = {}) {
  const text = h('textarea', { id: `${prefix}-text`, name: 'text', rows: locked ? '3' : '5', class: 'sx-verbatim', readonly: locked, 'aria-describedby': `${prefix}-text-hint ${prefix}-text-error`, value: values.text ?? '' });
  const kind = values.kind ?? 'participant quote';
  return [
    h('div', { class: 'field' },
      h('label', { for: text.id }, 'Verbatim text'),
      h('p', { class: 'hint', id: `${prefix}-text-hint` }, locked
        ? 'This extract is coded, so its text is fixed: the codings point at its characters.'
        : 'Paste the passage exactly as printed. Ctrl+Enter saves.'),
      text,
      h('p', { class: 'field-error', id: `${prefix}-text-error`, hidden: true })),
    h('fieldset', { class: 'plain sx-kind' },
      h('legend', {}, 'Kind'),
      h('div', { class: 'sx-radios' }, KINDS.map(([key, value, label]) => h('label', { class: 'check', for: `${prefix}-kind-${key}` },
        h('input', { type: 'radio', name: 'kind', id: `${prefix}-kind-${key}`, value, checked: kind === value }), label)))),
    h('div', { class: 'sx-where' },
      h('div', { class: 'field sx-page' },
        h('label', { for: `${prefix}-page` }, 'Page', h('span', { class: 'optional' }, ' (optional)')),
        h('input', { type: 'number', id: `${prefix}-page`, name: 'page', min: '1', step: '1', inputmode: 'numeric', 'aria-describedby': `${prefix}-page-error`, value: values.page ?? '' }),
        h('p', { class: 'field-error', id: `${prefix}-page-error`, hidden: true })),
      h('div', { class: 'field sx-section' },
        h('label', { for: `${prefix}-section` }, 'Section', h('span', { class: 'optional' }, ' (optional)')),
        h('input', { type: 'text', id: `${prefix}-section`, name: 'section', autocomplete: 'off', placeholder: 'e.g. Findings: trust', value: values.section ?? '' }))),
  ];
}

/** The extract a form holds, or null after showing why it cannot be sent (a page that is not a whole number). */
function readExtractForm(form, itemId) {
  const pageBox = form.querySelector('[name="page"]');
  const page = pageBox.value.trim();
  if (page !== '' && !/^[1-9][0-9]{0,5}$/.test(page)) {
    showErrors(form, { detail: 'The page is a whole number from 1, or empty.', errors: [{ field: 'page', message: 'Write the page as a whole number from 1, or leave it empty.' }] });
    return null;
  }
  return {
    item_id: itemId,
    text: form.querySelector('[name="text"]').value,
    kind: form.querySelector('[name="kind"]:checked')?.value ?? 'participant quote',
    page: page === '' ? null : Number(page),
    section: form.querySelector('[name="section"]').value.trim() || null,
  };
}

async function renderCode({ main, params, alive }) {
  const slug = params.slug;
  const base = apiBase(slug);
  let overview;
  try {
    [, overview] = await Promise.all([loadReview(slug, 'Synthesis'), get(base)]);
  } catch (err) {
    if (alive()) showProblem(main, 'The synthesis could not be loaded', err);
    return undefined;
  }
  if (!alive()) return undefined;
  const studies = overview.studies ?? [];
  const itemId = params.item ? Number(params.item) : (studies[0]?.item_id ?? null);
  const study = studies.find((s) => s.item_id === itemId) ?? null;
  if (params.item && !study) {
    showProblem(main, 'This study is not in the synthesis', { detail: `Item ${params.item} is not a study included at full text in this review.` });
    main.append(h('p', {}, h('a', { href: pageBase(slug) }, 'Back to the included studies')));
    return undefined;
  }
  let extracts = [];
  if (study) {
    try {
      extracts = await get(`${base}/extracts?item_id=${encodeURIComponent(itemId)}`);
    } catch (err) {
      if (alive()) showProblem(main, 'The extracts could not be loaded', err);
      return undefined;
    }
    if (!alive()) return undefined;
  }

  const canEdit = Boolean(overview.can_edit);
  const isLeadHere = Boolean(overview.is_lead);
  /** The remembered selection: { extractId, start, end, text } in code points, or null. */
  let sel = null;
  let editing = null;
  let busy = false;
  const codeOf = (id) => (overview.codes ?? []).find((c) => c.id === id);
  const codable = () => codeTree(overview.codes).map((x) => x.code).filter((c) => c.codable !== false);

  const studiesBox = h('nav', { class: 'sx-studies', 'aria-label': 'Included studies' });
  const extractsBox = h('div', { class: 'sx-extract-list', id: 'extracts' });
  const selectionBox = h('div', { class: 'sx-selection', id: 'sx-selection', role: 'status', 'aria-live': 'polite' });
  const treeBox = h('div', { class: 'sx-tree', id: 'codebook' });

  /* ---------- Talking to the API. ---------- */

  async function reload() {
    try {
      const [o, list] = await Promise.all([get(base), study ? get(`${base}/extracts?item_id=${encodeURIComponent(itemId)}`) : Promise.resolve([])]);
      if (!alive()) return;
      overview = o;
      extracts = list;
    } catch (err) {
      toast(err.detail, { problem: true });
      return;
    }
    // A coding may have gone with its extract: drop a selection that no longer points anywhere.
    if (sel && !extracts.some((e) => e.id === sel.extractId)) sel = null;
    const focusId = document.activeElement?.id;
    drawStudies();
    drawExtracts();
    drawCodebook();
    if (focusId && document.activeElement === document.body) document.getElementById(focusId)?.focus({ preventScroll: true });
  }

  async function applyCode(code) {
    if (!canEdit || busy) return;
    if (!sel) {
      toast('Select some words in an extract first, then choose the code.', { problem: true });
      return;
    }
    if (code.codable === false) {
      toast(`“${code.name}” groups other codes: choose one of its child codes.`, { problem: true });
      return;
    }
    busy = true;
    try {
      await post(`${base}/codings`, { extract_id: sel.extractId, code_id: code.id, start: sel.start, end: sel.end });
      toast(`Coded “${short(sel.text, 50)}” as ${code.name}`);
      await reload();
    } catch (err) {
      toast(err.detail, { problem: true });
    } finally {
      busy = false;
    }
  }

  async function removeCoding(coding) {
    try {
      await api('DELETE', `${base}/codings/${coding.id}`);
      toast(`Removed the coding ${codeOf(coding.code_id)?.name ?? ''}`.trim());
      await reload();
    } catch (err) {
      toast(err.detail, { problem: true });
    }
  }

  /* ---------- Selecting text. ---------- */

  /** The UTF-16 offset of a DOM position inside `el`, counting its text only. */
  function offsetIn(el, node, offset) {
    const r = document.createRange();
    r.selectNodeContents(el);
    r.setEnd(node, offset);
    return r.toString().length;
  }

  /** Reads the browser's selection; remembers it if it lies in one extract's text. */
  function capture() {
    const s = document.getSelection();
    if (!s || !s.rangeCount || s.isCollapsed) return;
    const r = s.getRangeAt(0);
    const startEl = r.startContainer.nodeType === Node.ELEMENT_NODE ? r.startContainer : r.startContainer.parentElement;
    const el = startEl?.closest?.('.sx-text');
    if (!el || !extractsBox.contains(el)) return;
    const extract = extracts.find((e) => String(e.id) === el.dataset.extract);
    if (!extract) return;
    const text = extract.text;
    let u0 = offsetIn(el, r.startContainer, r.startOffset);
    let u1 = el.contains(r.endContainer) ? offsetIn(el, r.endContainer, r.endOffset) : text.length;
    // Leading and trailing spaces are never part of what was meant.
    while (u0 < u1 && /\s/.test(text[u0])) u0 += 1;
    while (u1 > u0 && /\s/.test(text[u1 - 1])) u1 -= 1;
    if (u0 >= u1) return;
    const start = toCodePoints(text, u0);
    const end = toCodePoints(text, u1);
    if (sel && sel.extractId === extract.id && sel.start === start && sel.end === end) return;
    sel = { extractId: extract.id, start, end, text: spanText(text, start, end) };
    drawSelection();
  }

  /** Selects code points [start, end) of an extract's text in the page, as if dragged with the mouse. */
  function selectInPage(extractId, start, end) {
    const el = extractsBox.querySelector(`.sx-text[data-extract="${extractId}"]`);
    const extract = extracts.find((e) => e.id === extractId);
    if (!el || !extract) return;
    const chars = Array.from(extract.text);
    const u0 = chars.slice(0, start).join('').length;
    const u1 = chars.slice(0, end).join('').length;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let seen = 0;
    let startSet = false;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const len = node.data.length;
      if (!startSet && u0 <= seen + len) {
        range.setStart(node, u0 - seen);
        startSet = true;
      }
      if (startSet && u1 <= seen + len) {
        range.setEnd(node, u1 - seen);
        break;
      }
      seen += len;
    }
    const s = document.getSelection();
    s.removeAllRanges();
    s.addRange(range);
  }

  function clearSelection() {
    sel = null;
    document.getSelection()?.removeAllRanges();
    drawSelection();
  }

  let selTimer = null;
  const onSelectionChange = () => {
    clearTimeout(selTimer);
    selTimer = setTimeout(capture, 120);
  };
  document.addEventListener('selectionchange', onSelectionChange);

  /* ---------- Drawing. ---------- */

  function drawStudies() {
    const current = studies.length ? (overview.studies ?? studies) : [];
    fill(studiesBox,
      h('h2', { id: 'sx-studies-title' }, 'Included studies'),
      current.length
        ? h('ul', { class: 'sx-study-list', 'aria-labelledby': 'sx-studies-title' }, current.map((s) => h('li', { dataset: { item: s.item_id } },
          h('a', { href: `${pageBase(slug)}/${s.item_id}`, 'aria-current': s.item_id === itemId ? 'page' : null, id: `sx-study-${s.item_id}` },
            h('span', { class: 'sx-study-label' }, s.label || `Study ${s.item_id}`),
            h('span', { class: 'sx-count', title: plural(s.extracts, 'extract') }, num(s.extracts), h('span', { class: 'visually-hidden' }, ` ${s.extracts === 1 ? 'extract' : 'extracts'}`))),
          s.title ? h('span', { class: 'sx-study-title' }, s.title) : null,
          s.file_url ? h('a', { href: s.file_url, target: '_blank', rel: 'noopener', class: 'sx-pdf small' }, 'PDF', h('span', { class: 'visually-hidden' }, ` of ${s.label} (opens in a new tab)`)) : null)))
        : h('p', { class: 'muted small' }, 'None yet: a study appears here once it is included at full text.'));
  }

  function codingItem(e, c) {
    const code = codeOf(c.code_id);
    const mine = c.coder_id === overview.me;
    // Pointing at a coding outlines its words in the extract.
    const hot = (on) => {
      for (const m of extractsBox.querySelectorAll(`#extract-${e.id} mark.sx-mark`)) {
        if (m.dataset.codings.split(' ').includes(String(c.id))) m.classList.toggle('hot', on);
      }
    };
    return h('li', { dataset: { coding: c.id, code: c.code_id }, onmouseenter: () => hot(true), onmouseleave: () => hot(false), onfocusin: () => hot(true), onfocusout: () => hot(false) },
      swatch(code),
      h('span', { class: 'sx-coding-code' }, code?.name ?? `Code ${c.code_id}`),
      ' ',
      h('q', { class: 'sx-coding-text' }, short(spanText(e.text, c.start, c.end), 120)),
      h('span', { class: 'muted small' }, ` — ${mine ? 'you' : (c.coder ?? 'someone')}`),
      canEdit && (mine || isLeadHere)
        ? h('button', { type: 'button', class: 'link sx-remove', onclick: () => removeCoding(c), 'aria-label': `Remove the coding ${code?.name ?? ''} of “${short(spanText(e.text, c.start, c.end), 40)}”` }, 'Remove')
        : null);
  }

  function extractView(e, index) {
    const codings = e.codings ?? [];
    const textEl = h(e.kind === 'author interpretation' ? 'div' : 'blockquote', { class: 'sx-text', dataset: { extract: e.id } }, marked(e.text, codings, codeOf));
    const where = [e.page ? `p. ${e.page}` : null, e.section].filter(Boolean).join(' · ');
    const mine = e.extractor_id === overview.me;
    const selected = sel?.extractId === e.id;
    return h('article', { class: `sx-extract${selected ? ' selected' : ''}${e.kind === 'author interpretation' ? ' interpretation' : ' quote'}`, id: `extract-${e.id}`, dataset: { extract: e.id }, 'aria-labelledby': `extract-${e.id}-title` },
      h('header', { class: 'sx-extract-meta' },
        h('h3', { id: `extract-${e.id}-title` }, `${index + 1}. `, h('span', { class: `sx-kind-badge ${e.kind === 'author interpretation' ? 'interp' : 'quote'}` }, kindLabel(e.kind))),
        where ? h('span', { class: 'muted small' }, where) : null,
        h('span', { class: 'muted small' }, `by ${mine ? 'you' : e.extractor}`),
        e.locked ? h('span', { class: 'sx-locked small', title: 'Coded extracts keep their text: the codings point at its characters.' }, h('span', { 'aria-hidden': 'true' }, '🔒 '), 'Coded') : null),
      textEl,
      codings.length
        ? h('ul', { class: 'sx-codings', 'aria-label': `Codings of extract ${index + 1}` }, codings.map((c) => codingItem(e, c)))
        : h('p', { class: 'muted small sx-uncoded' }, canEdit ? 'Not coded yet: select words above, then choose a code.' : 'Not coded yet.'),
      canEdit
        ? h('div', { class: 'actions sx-extract-actions' },
          h('button', { type: 'button', class: 'link', id: `extract-${e.id}-all`, onclick: () => {
            const n = Array.from(e.text).length;
            sel = { extractId: e.id, start: 0, end: n, text: e.text };
            selectInPage(e.id, 0, n);
            drawSelection();
          } }, 'Select all of it'),
          mine || isLeadHere ? h('button', { type: 'button', class: 'link', id: `extract-${e.id}-edit`, onclick: () => {
            editing = e.id;
            drawExtracts();
            document.getElementById('edit-extract-text')?.focus();
          } }, 'Edit') : null,
          (mine || isLeadHere) && !e.locked ? h('button', { type: 'button', class: 'link', id: `extract-${e.id}-delete`, onclick: () => deleteExtract(e) }, 'Delete') : null)
        : null);
  }

  async function deleteExtract(e) {
    try {
      await api('DELETE', `${base}/extracts/${e.id}`);
      toast('Extract deleted');
      await reload();
      addText.focus();
    } catch (err) {
      toast(err.detail, { problem: true });
    }
  }

  function editView(e) {
    const form = h('form', { class: 'sx-extract sx-edit stack', id: `extract-${e.id}`, novalidate: true, 'aria-labelledby': 'edit-extract-title' },
      h('h3', { id: 'edit-extract-title' }, 'Edit the extract'),
      h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
      extractFields('edit-extract', e, { locked: e.locked }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'save-extract' }, 'Save'),
        h('button', { type: 'button', id: 'cancel-extract', onclick: () => {
          editing = null;
          drawExtracts();
          document.getElementById(`extract-${e.id}-edit`)?.focus();
        } }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      try {
        const sent = readExtractForm(form, e.item_id);
        if (!sent) return;
        await api('PUT', `${base}/extracts/${e.id}`, sent);
        editing = null;
        toast('Extract saved');
        await reload();
        document.getElementById(`extract-${e.id}-edit`)?.focus();
      } catch (err) {
        showErrors(form, err);
      }
    });
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        form.querySelector('#cancel-extract').click();
      } else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    return form;
  }

  function drawExtracts() {
    if (!study) {
      fill(extractsBox);
      return;
    }
    fill(extractsBox,
      extracts.length
        ? extracts.map((e, i) => (editing === e.id ? editView(e) : extractView(e, i)))
        : h('p', { class: 'muted', id: 'sx-no-extracts' }, canEdit
          ? 'No extracts from this study yet. Paste a participant quote or an author’s interpretation below.'
          : 'No extracts from this study yet.'));
    // The remembered selection stays selected in the page after a redraw.
    if (sel && !editing && extracts.some((e) => e.id === sel.extractId)) selectInPage(sel.extractId, sel.start, sel.end);
  }

  function drawSelection() {
    for (const a of extractsBox.querySelectorAll('.sx-extract.selected')) a.classList.remove('selected');
    if (!sel) {
      fill(selectionBox, h('p', { class: 'muted' }, canEdit
        ? 'Select words in an extract, then click a code or press its digit.'
        : 'You can read the codings; coding needs the reviewer role.'));
      selectionBox.classList.remove('has');
      return;
    }
    extractsBox.querySelector(`#extract-${sel.extractId}`)?.classList.add('selected');
    const n = extracts.findIndex((e) => e.id === sel.extractId) + 1;
    selectionBox.classList.add('has');
    fill(selectionBox,
      h('p', {}, h('span', { class: 'sx-sel-label' }, `Selected in extract ${n}:`), ' ', h('q', { id: 'sx-selected-text' }, short(sel.text, 160))),
      h('p', { class: 'small muted' }, `Characters ${num(sel.start + 1)}–${num(sel.end)}. `,
        h('button', { type: 'button', class: 'link', id: 'sx-clear-selection', onclick: clearSelection }, 'Clear'), h('span', { 'aria-hidden': 'true' }, ' (Esc)')));
  }

  function drawCodebook() {
    const tree = codeTree(overview.codes);
    const digits = new Map(codable().slice(0, 9).map((c, i) => [c.id, i + 1]));
    if (!tree.length) {
      fill(treeBox, h('p', { class: 'muted small', id: 'sx-no-codes' }, canEdit ? 'No codes yet: name one below, or import a codebook.' : 'No codes yet.'));
    } else {
      fill(treeBox, h('ul', { class: 'sx-code-list' }, tree.map(({ code, depth, children }) => {
        const d = digits.get(code.id);
        const label = [swatch(code), h('span', { class: 'sx-code-name' }, code.name), h('span', { class: 'sx-count', title: plural(code.codings, 'coding') }, num(code.codings), h('span', { class: 'visually-hidden' }, ` ${code.codings === 1 ? 'coding' : 'codings'}`))];
        const row = canEdit && code.codable !== false
          ? h('button', { type: 'button', class: 'sx-code', id: `code-${code.id}`, dataset: { code: code.id }, title: code.description || null, onclick: () => applyCode(code) },
            d ? h('kbd', { 'aria-hidden': 'true' }, String(d)) : h('span', { class: 'sx-kbd-gap', 'aria-hidden': 'true' }), label)
          : h('span', { class: `sx-code static${code.codable === false ? ' grouping' : ''}`, id: `code-${code.id}`, dataset: { code: code.id }, title: code.description || null },
            label, code.codable === false ? h('span', { class: 'muted small' }, ' (groups codes)') : null);
        const colour = canEdit ? h('input', { type: 'color', class: 'sx-colour', value: colourOf(code), 'aria-label': `Colour of ${code.name}`, onchange: (ev) => recolour(code, ev.target.value) }) : null;
        const del = canEdit && !code.codings && !children
          ? h('button', { type: 'button', class: 'link sx-delete-code', 'aria-label': `Delete the code ${code.name}`, title: 'Delete this unused code', onclick: () => deleteCode(code) }, '×')
          : null;
        const rename = canEdit
          ? h('button', { type: 'button', class: 'link sx-rename-code', id: `code-${code.id}-rename`, 'aria-label': `Rename the code ${code.name}`, title: 'Rename', onclick: () => {
            renameInPlace(li, code.name, `New name for the code ${code.name}`, async (name) => {
              await api('PUT', `${base}/codes/${code.id}`, { name, description: code.description ?? '', parent_id: code.parent_id ?? null, colour: code.colour ?? colourOf(code), codable: code.codable !== false });
              toast(`Renamed the code ${name}`);
              await reload();
              document.getElementById(`code-${code.id}-rename`)?.focus();
            }, `code-${code.id}-rename-input`);
          } }, '✎')
          : null;
        const describe = canEdit
          ? h('button', { type: 'button', class: 'link sx-describe-code', id: `code-${code.id}-describe`, 'aria-label': `Describe the code ${code.name}`, title: code.description ? `Description: ${code.description}` : 'Add a description', onclick: () => {
            renameInPlace(li, code.description ?? '', `Description of the code ${code.name} (what it covers, when to use it)`, async (description) => {
              await api('PUT', `${base}/codes/${code.id}`, { name: code.name, description, parent_id: code.parent_id ?? null, colour: code.colour ?? colourOf(code), codable: code.codable !== false });
              toast(description ? `Described the code ${code.name}` : `Removed the description of ${code.name}`);
              await reload();
              document.getElementById(`code-${code.id}-describe`)?.focus();
            }, `code-${code.id}-describe-input`, { allowEmpty: true });
          } }, 'ⓘ')
          : null;
        const li = h('li', { class: 'sx-code-row', dataset: { depth } }, row, colour, rename, describe, del);
        li.style.paddingLeft = `${depth * 1.1}rem`;
        return li;
      })));
    }
    // The parent list follows the codebook.
    const chosen = parentSelect.value;
    fill(parentSelect, h('option', { value: '' }, 'None (top level)'), tree.map(({ code, depth }) => h('option', { value: code.id }, `${'  '.repeat(depth)}${code.name}`)));
    parentSelect.value = tree.some((x) => String(x.code.id) === chosen) ? chosen : '';
    newColour.value = nextColour(overview.codes);
  }

  async function recolour(code, colour) {
    try {
      await api('PUT', `${base}/codes/${code.id}`, { name: code.name, description: code.description ?? '', parent_id: code.parent_id ?? null, colour, codable: code.codable !== false });
      await reload();
    } catch (err) {
      toast(err.detail, { problem: true });
    }
  }

  async function deleteCode(code) {
    try {
      await api('DELETE', `${base}/codes/${code.id}`);
      toast(`Deleted the code ${code.name}`);
      await reload();
    } catch (err) {
      toast(err.detail, { problem: true });
    }
  }

  /* ---------- The forms (built once, so what is typed survives redraws). ---------- */

  const addForm = h('form', { class: 'sx-add-extract card stack', id: 'add-extract-form', novalidate: true, 'aria-labelledby': 'add-extract-title' },
    h('h2', { id: 'add-extract-title' }, 'Add an extract'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    extractFields('extract'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'add-extract' }, 'Add the extract')));
  const addText = addForm.querySelector('#extract-text');
  addForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearErrors(addForm);
    const sent = readExtractForm(addForm, itemId);
    if (!sent) return;
    busy = true;
    try {
      const made = await post(`${base}/extracts`, sent);
      addText.value = '';
      toast('Extract added: select words in it to code them');
      busy = false;
      await reload();
      document.getElementById(`extract-${made.id}`)?.scrollIntoView({ block: 'nearest' });
      addText.focus({ preventScroll: true });
    } catch (err) {
      showErrors(addForm, err);
    } finally {
      busy = false;
    }
  });
  addText.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      addForm.requestSubmit();
    }
  });

  const asNew = h('input', { type: 'text', id: 'code-as-new', name: 'name', autocomplete: 'off', placeholder: 'Name of a new code', 'aria-describedby': 'code-as-new-hint' });
  const asNewForm = h('form', { class: 'sx-as-new', id: 'code-as-new-form', novalidate: true },
    h('label', { for: 'code-as-new' }, 'Code as new…'),
    h('p', { class: 'hint small', id: 'code-as-new-hint' }, 'Creates the code and applies it to the selection.'),
    h('div', { class: 'sx-inline' }, asNew, h('button', { type: 'submit', id: 'code-as-new-btn' }, 'Create and code')));
  asNewForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = asNew.value.trim();
    if (!name) {
      toast('Type the new code’s name first.', { problem: true });
      asNew.focus();
      return;
    }
    if (busy) return;
    busy = true;
    let code;
    try {
      code = await post(`${base}/codes`, { name, colour: nextColour(overview.codes), parent_id: null });
    } catch (err) {
      busy = false;
      toast(err.detail, { problem: true });
      asNew.focus();
      return;
    }
    asNew.value = '';
    try {
      if (sel) {
        await post(`${base}/codings`, { extract_id: sel.extractId, code_id: code.id, start: sel.start, end: sel.end });
        toast(`Created ${code.name} and coded “${short(sel.text, 50)}”`);
      } else {
        toast(`Created ${code.name}: select words in an extract to code them with it`);
      }
    } catch (err) {
      toast(err.detail, { problem: true });
    } finally {
      busy = false;
    }
    await reload();
  });

  const newName = h('input', { type: 'text', id: 'new-code-name', name: 'name', autocomplete: 'off' });
  const newColour = h('input', { type: 'color', id: 'new-code-colour', name: 'colour', value: nextColour(overview.codes) });
  const parentSelect = h('select', { id: 'new-code-parent', name: 'parent_id' });
  const grouping = h('input', { type: 'checkbox', id: 'new-code-grouping', name: 'grouping' });
  const newCodeForm = h('form', { class: 'sx-new-code stack', id: 'new-code-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'field' }, h('label', { for: 'new-code-name' }, 'Name'), newName),
    h('div', { class: 'sx-inline' },
      h('div', { class: 'field' }, h('label', { for: 'new-code-colour' }, 'Colour'), newColour),
      h('div', { class: 'field sx-grow' }, h('label', { for: 'new-code-parent' }, 'Under'), parentSelect)),
    h('label', { class: 'check small', for: 'new-code-grouping' }, grouping, 'Only groups other codes (not used on text)'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'add-code' }, 'Add the code')));
  newCodeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(newCodeForm);
    try {
      const code = await post(`${base}/codes`, {
        name: newName.value,
        colour: newColour.value,
        parent_id: parentSelect.value ? Number(parentSelect.value) : null,
        codable: !grouping.checked,
      });
      newName.value = '';
      grouping.checked = false;
      toast(`Added the code ${code.name}`);
      await reload();
      newName.focus();
    } catch (err) {
      showErrors(newCodeForm, err);
    }
  });

  const importFile = h('input', { type: 'file', id: 'codebook-file', name: 'file', accept: '.qdc,.qdpx' });
  const importForm = h('form', { class: 'stack sx-import', id: 'codebook-import', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'field' }, h('label', { for: 'codebook-file' }, 'REFI-QDA codebook (.qdc) or project (.qdpx)'), importFile),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'import-codebook' }, 'Import')));
  importForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(importForm);
    const f = importFile.files?.[0];
    if (!f) {
      showErrors(importForm, { detail: 'Choose a .qdc or .qdpx file first.' });
      return;
    }
    const data = new FormData();
    data.append('file', f);
    try {
      const report = await api('POST', `${base}/codebook`, data);
      importFile.value = '';
      toast(`Codebook imported: ${plural(report?.codes_added ?? 0, 'code')} added, ${num(report?.codes_updated ?? 0)} updated; ${plural(report?.themes_added ?? 0, 'theme')} added, ${num(report?.themes_updated ?? 0)} updated`);
      await reload();
    } catch (err) {
      showErrors(importForm, err);
    }
  });

  /* ---------- The page. ---------- */

  const codebook = h('aside', { class: 'sx-codebook', 'aria-labelledby': 'sx-codebook-title' },
    h('h2', { id: 'sx-codebook-title' }, 'Codebook'),
    canEdit ? selectionBox : null,
    treeBox,
    canEdit ? [
      asNewForm,
      h('details', { class: 'sx-more', id: 'new-code-details' }, h('summary', {}, 'New code (with colour and parent)'), newCodeForm),
      h('details', { class: 'sx-more' }, h('summary', {}, 'Import a codebook'), importForm),
    ] : null,
    h('p', { class: 'small sx-exports' },
      h('a', { href: `${base}/codebook.qdc`, download: '' }, 'Codebook (.qdc)'), ' · ',
      h('a', { href: `${base}/project.qdpx`, download: '' }, 'Project for NVivo, ATLAS.ti, MAXQDA (.qdpx)')));

  const centre = h('section', { class: 'sx-centre', 'aria-labelledby': 'sx-study-heading' },
    study
      ? [
        h('div', { class: 'sx-study-head' },
          h('h1', { id: 'sx-study-heading', tabindex: '-1' }, study.label || `Study ${study.item_id}`),
          study.file_url ? h('a', { href: study.file_url, target: '_blank', rel: 'noopener', id: 'sx-study-pdf' }, 'Open the PDF in a new tab') : null),
        study.title ? h('p', { class: 'sx-study-full-title' }, study.title) : null,
        extractsBox,
        canEdit ? addForm : null,
      ]
      : [
        h('h1', { id: 'sx-study-heading', tabindex: '-1' }, 'Code'),
        h('p', { class: 'lede', id: 'sx-empty' }, 'No studies to code yet: a study appears here once it is included at full text. Then take verbatim extracts from it — participant quotes and the authors’ interpretations — and code them line by line.'),
      ]);

  fill(main, subnav(slug, 'code'), h('div', { class: 'sx-code-page', id: 'synthesis-code' }, studiesBox, centre, codebook));
  main.classList.add('wide');
  drawStudies();
  drawExtracts();
  drawSelection();
  drawCodebook();
  focusHeading(main);

  // Mouse and keyboard selections inside the extracts (selectionchange covers the rest).
  extractsBox.addEventListener('mouseup', () => setTimeout(capture, 0));
  extractsBox.addEventListener('keyup', (ev) => {
    if (ev.shiftKey || ev.key === 'Shift') capture();
  });

  const pick = (n) => {
    const code = codable()[n - 1];
    if (!code) {
      toast(codable().length ? `There are ${codable().length} codes with a digit: press 1 to ${Math.min(9, codable().length)}.` : 'There are no codes yet: use “Code as new…”.', { problem: true });
      return;
    }
    applyCode(code);
  };
  setKeys(canEdit ? [
    { key: '1', show: '1–9', label: 'Code the selected words with the 1st … 9th code of the codebook', run: () => pick(1) },
    ...Array.from({ length: 8 }, (_, i) => ({ key: String(i + 2), hidden: true, run: () => pick(i + 2) })),
    { key: 'n', label: 'Code the selected words with a new code (type its name)', run: () => asNew.focus() },
    { key: 'e', label: 'Add an extract (type or paste it)', when: () => Boolean(study), run: () => addText.focus() },
    { key: 'Escape', show: 'Esc', label: 'Forget the selected words', when: () => Boolean(sel), run: clearSelection },
  ] : []);

  return () => {
    document.removeEventListener('selectionchange', onSelectionChange);
    clearTimeout(selTimer);
    main.classList.remove('wide');
  };
}
