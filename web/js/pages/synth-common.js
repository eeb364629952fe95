// pages/synth-common.js: owns what the synthesis pages share: their addresses, the sub-navigation, the codebook as a tree, code colours, code-point offsets, and extracts drawn with their codings as coloured highlights.

import { h } from '../dom.js';

export const apiBase = (slug) => `/api/reviews/${encodeURIComponent(slug)}/synthesis`;
export const pageBase = (slug) => `/reviews/${encodeURIComponent(slug)}/synthesis`;

/** Colours offered to new codes, in order; distinct enough side by side, readable as underlines on light and dark. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#7f7f7f'];

/** A code's colour, or a steady palette colour for codes without one. */
export function colourOf(code) {
  if (code?.colour && /^#[0-9a-f]{6}$/i.test(code.colour)) return code.colour;
  return PALETTE[Math.abs(Number(code?.id ?? 0)) % PALETTE.length];
}

/** The first palette colour no code uses yet (or the next one round). */
export function nextColour(codes) {
  const used = new Set((codes ?? []).map((c) => String(c.colour ?? '').toLowerCase()));
  return PALETTE.find((p) => !used.has(p)) ?? PALETTE[(codes?.length ?? 0) % PALETTE.length];
}

/** The sub-navigation shared by Code · Themes & matrix · CERQual. */
export function subnav(slug, current) {
  const base = pageBase(slug);
  const links = [['code', base, 'Code'], ['themes', `${base}/themes`, 'Themes & matrix'], ['cerqual', `${base}/cerqual`, 'CERQual']];
  return h('nav', { class: 'sx-subnav', 'aria-label': 'Synthesis' },
    links.map(([key, href, name]) => h('a', { href, id: `sx-nav-${key}`, 'aria-current': key === current ? 'page' : null }, name)));
}

/** The codebook in tree order: each code with its depth, children after their parent. */
export function codeTree(codes) {
  const list = codes ?? [];
  const ids = new Set(list.map((c) => c.id));
  const kids = new Map();
  for (const c of list) {
    const p = c.parent_id !== null && c.parent_id !== undefined && ids.has(c.parent_id) ? c.parent_id : null;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(c);
  }
  const out = [];
  const seen = new Set();
  const walk = (parent, depth) => {
    for (const c of kids.get(parent) ?? []) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push({ code: c, depth, children: (kids.get(c.id) ?? []).length });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  // A cycle the server should never allow must not hide codes.
  for (const c of list) if (!seen.has(c.id)) out.push({ code: c, depth: 0, children: 0 });
  return out;
}

/**
 * Where each code point starts in a JavaScript (UTF-16) string: `map[cp]` is the UTF-16 index of
 * code point `cp`, and `map[length]` the string's length. The API counts code points; the DOM counts
 * UTF-16 units, so an emoji is one character to the API and two to the DOM.
 */
export function codePointMap(text) {
  const map = [0];
  let u = 0;
  for (const ch of String(text ?? '')) {
    u += ch.length;
    map.push(u);
  }
  return map;
}

/** The code-point offset of UTF-16 index `u` in `text`. */
export function toCodePoints(text, u) {
  return Array.from(String(text ?? '').slice(0, u)).length;
}

/** The text of a span given in code points. */
export function spanText(text, start, end) {
  return Array.from(String(text ?? '')).slice(start, end).join('');
}

/** Shortens a quote for a one-line mention. */
export function short(s, n = 80) {
  const t = String(s ?? '').replace(/\s+/g, ' ').trim();
  const chars = Array.from(t);
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : t;
}

/**
 * Gives each coding a lane (0, 1, 2 …) so that overlapping codings never share one and a coding keeps
 * its lane along its whole span: its underline stays at the same depth.
 */
function lanes(codings) {
  const sorted = [...codings].sort((a, b) => a.start - b.start || (b.end - b.start) - (a.end - a.start) || a.id - b.id);
  const laneEnds = [];
  const out = new Map();
  for (const c of sorted) {
    let lane = laneEnds.findIndex((end) => end <= c.start);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(c.end);
    } else {
      laneEnds[lane] = c.end;
    }
    out.set(c.id, lane);
  }
  return out;
}

/**
 * The extract's text with its codings drawn in: each stretch of text covered by codings is one
 * `<mark>` underlined once per coding, in the code's colour, stacked (so overlaps stay visible), with
 * the code names and coders shown on hover and focus. `codeOf(id)` finds a code. The marks hold the
 * text and nothing else, so the element's textContent is exactly the extract's text.
 */
export function marked(text, codings, codeOf, { focusable = true } = {}) {
  const map = codePointMap(text);
  const n = map.length - 1;
  const spans = (codings ?? []).filter((c) => c.start >= 0 && c.end <= n && c.start < c.end);
  if (!spans.length) return [text];
  const lane = lanes(spans);
  const cuts = new Set([0, n]);
  for (const c of spans) {
    cuts.add(c.start);
    cuts.add(c.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < points.length - 1; i += 1) {
    const a = points[i];
    const b = points[i + 1];
    const piece = text.slice(map[a], map[b]);
    const over = spans.filter((c) => c.start <= a && c.end >= b).sort((x, y) => lane.get(x.id) - lane.get(y.id));
    if (!over.length) {
      parts.push(piece);
      continue;
    }
    const tip = over.map((c) => `${codeOf(c.code_id)?.name ?? `Code ${c.code_id}`} — ${c.coder ?? 'someone'}`).join('\n');
    const mark = h('mark', {
      class: 'sx-mark',
      tabindex: focusable ? '0' : null,
      dataset: { tip, codings: over.map((c) => c.id).join(' '), codes: over.map((c) => c.code_id).join(' ') },
    }, piece);
    const depth = Math.max(...over.map((c) => lane.get(c.id))) + 1;
    const layers = [];
    const positions = [];
    const sizes = [];
    for (const c of over) {
      const colour = colourOf(codeOf(c.code_id));
      layers.push(`linear-gradient(${colour}, ${colour})`);
      positions.push(`0 calc(100% - ${lane.get(c.id) * 4}px)`);
      sizes.push('100% 3px');
    }
    // A light wash of the first code's colour under the underlines.
    const wash = colourOf(codeOf(over[0].code_id));
    layers.push(`linear-gradient(color-mix(in srgb, ${wash} 16%, transparent), color-mix(in srgb, ${wash} 16%, transparent))`);
    positions.push('0 0');
    sizes.push('100% 100%');
    mark.style.backgroundImage = layers.join(', ');
    mark.style.backgroundPosition = positions.join(', ');
    mark.style.backgroundSize = sizes.join(', ');
    mark.style.paddingBottom = `${depth * 4}px`;
    parts.push(mark);
  }
  return parts;
}

/** A small colour square for a code, hidden from screen readers (the name says it all). */
export function swatch(code) {
  const s = h('span', { class: 'sx-swatch', 'aria-hidden': 'true' });
  s.style.backgroundColor = colourOf(code);
  return s;
}

/** "Participant quote" or "Author interpretation" from the stored kind. */
export function kindLabel(kind) {
  return kind === 'author interpretation' ? 'Author interpretation' : 'Participant quote';
}

/**
 * Swaps `shown` for a text box holding `value`: Enter or Save sends the new name through `save`
 * (which throws an ApiError to keep the box open with its sentence), Esc or Cancel puts `shown` back.
 */
export function renameInPlace(shown, value, label, save, id = 'rename-input', { allowEmpty = false } = {}) {
  const input = h('input', { type: 'text', id, value, 'aria-label': label, autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'sx-rename', novalidate: true },
    h('div', { class: 'sx-inline' }, input,
      h('button', { type: 'submit', class: 'sx-small primary' }, 'Save'),
      h('button', { type: 'button', class: 'sx-small', onclick: () => cancel() }, 'Cancel')),
    error);
  // In a list the form sits in a list item of its own.
  const holder = shown.tagName === 'LI' ? h('li', { class: shown.className }, form) : form;
  const cancel = () => {
    holder.replaceWith(shown);
    shown.querySelector('button, [tabindex]')?.focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = input.value.trim();
    if ((!name && !allowEmpty) || name === value) {
      cancel();
      return;
    }
    try {
      await save(name);
    } catch (err) {
      error.textContent = err.detail ?? String(err);
      error.hidden = false;
      input.focus();
    }
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      cancel();
    }
  });
  shown.replaceWith(holder);
  input.focus();
  input.select();
}
