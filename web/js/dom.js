// dom.js: owns building DOM nodes without HTML strings, form fields with their errors, and number formatting.

/** Builds an element; attributes that are null, undefined or false are left out, and `on*` functions become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el && tag !== 'option' && tag !== 'button') el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

const numbers = new Intl.NumberFormat('en-GB');

/** Formats a count the same way everywhere (e.g. 1,380). */
export function num(n) {
  return numbers.format(Number(n ?? 0));
}

/** Says "1 record" or "3 records". */
export function plural(n, one, many = `${one}s`) {
  return `${num(n)} ${n === 1 ? one : many}`;
}

let uid = 0;

/**
 * Wraps a control in a labelled field with a hint and a place for its error. The control's `name`
 * is how problem `errors[].field` entries find it.
 */
export function field(label, control, { hint, optional = false } = {}) {
  if (!control.id) control.id = `f-${control.name || 'field'}-${++uid}`;
  const errorId = `${control.id}-error`;
  const hintId = hint ? `${control.id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: control.name || '' } },
    h('label', { for: control.id }, label, optional ? h('span', { class: 'optional' }, ' (optional)') : null),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

/** Removes every error shown in a form. */
export function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error, .form-error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

/**
 * Shows an API error in a form: each `errors[]` entry next to its field, anything else in the
 * form's own error line. Focus goes to the first field in error. What the person typed is kept.
 */
export function showErrors(form, error) {
  clearErrors(form);
  const general = form.querySelector('.form-error');
  let first = null;
  const unplaced = [];
  for (const e of error.errors ?? []) {
    const control = form.querySelector(`[name="${CSS.escape(e.field)}"]`);
    const slot = control && document.getElementById(`${control.id}-error`);
    if (!slot) {
      unplaced.push(`${e.field}: ${e.message}`);
      continue;
    }
    slot.textContent = sentence(e.message);
    slot.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  if (general && (!first || unplaced.length)) {
    general.textContent = unplaced.length && first ? unplaced.join('; ') : error.detail;
    general.hidden = false;
  }
  if (first) first.focus();
  else general?.focus();
}

/** Capitalises a message and ends it with a full stop. */
export function sentence(s) {
  const t = String(s ?? '').trim();
  if (!t) return t;
  const c = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(c) ? c : `${c}.`;
}

/** Shows `text` in `el` only if `promise` takes longer than 150 ms, so quick loads do not flash. */
export function slowly(el, text, promise) {
  const timer = setTimeout(() => el.replaceChildren(h('p', { class: 'loading', role: 'status' }, text)), 150);
  return promise.finally(() => clearTimeout(timer));
}

/** Replaces an element's children, skipping the null, undefined and false that conditional parts give. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}
