// pages/synth-themes.js: owns the Synthesis theme board (codes not yet in a descriptive theme, descriptive themes grouping codes, analytical themes grouping descriptive themes with their narrative memo) and the theme × study matrix whose cells open the supporting extracts in place.

import { api, get, post } from '../api.js';
import { clearErrors, fill, h, num, plural, showErrors } from '../dom.js';
import { setKeys } from '../keys.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { loadReview, showProblem } from './common.js';
import { apiBase, codeTree, kindLabel, marked, renameInPlace, subnav, swatch } from './synth-common.js';

const DESCRIPTIVE = 'descriptive';
const ANALYTICAL = 'analytical';

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = apiBase(slug);
  let overview;
  let matrix;
  let extracts;
  const load = () => Promise.all([get(base), get(`${base}/matrix`), get(`${base}/extracts`)]);
  try {
    [, [overview, matrix, extracts]] = await Promise.all([loadReview(slug, 'Synthesis'), load()]);
  } catch (err) {
    if (alive()) showProblem(main, 'The themes could not be loaded', err);
    return undefined;
  }
  if (!alive()) return undefined;

  const canEdit = Boolean(overview.can_edit);
  /** Memos typed but not saved yet, by theme id: they survive redraws. */
  const drafts = new Map();
  /** Memos being saved now, by theme id. */
  const saving = new Map();
  /** The matrix cell open below the table: { theme, item } or null. */
  let open = null;
  /** Changes go one after another, so a memo saved on blur and a member added next never race. */
  let queue = Promise.resolve();

  const codes = () => overview.codes ?? [];
  const themes = () => overview.themes ?? [];
  const codeOf = (id) => codes().find((c) => c.id === id);
  const themeOf = (id) => themes().find((t) => t.id === id);
  const descriptive = () => themes().filter((t) => t.kind === DESCRIPTIVE);
  const analytical = () => themes().filter((t) => t.kind === ANALYTICAL);
  const memoOf = (t) => (drafts.has(t.id) ? drafts.get(t.id) : (t.memo ?? ''));
  /** The codes behind a theme: its members, or its descriptive themes' members. */
  const codesOfTheme = (t) => {
    if (!t) return new Set();
    if (t.kind === DESCRIPTIVE) return new Set(t.members ?? []);
    return new Set((t.members ?? []).flatMap((m) => themeOf(m)?.members ?? []));
  };

  const board = h('div', { class: 'sx-board', id: 'theme-board' });
  const matrixBox = h('div', { class: 'sx-matrix-box' });
  const detail = h('section', { class: 'sx-matrix-detail', id: 'matrix-detail', 'aria-live': 'polite', hidden: true });

  async function reload() {
    try {
      [overview, matrix, extracts] = await load();
    } catch (err) {
      toast(err.detail, { problem: true });
      return;
    }
    if (!alive()) return;
    const focusId = document.activeElement?.id;
    drawBoard();
    drawMatrix();
    if (focusId && document.activeElement === document.body) document.getElementById(focusId)?.focus({ preventScroll: true });
  }

  /** Runs a change in turn; resolves true when it worked. Problems are shown as toasts unless `onError` takes them. */
  function change(fn, { onError } = {}) {
    const run = queue.then(async () => {
      try {
        await fn();
        return true;
      } catch (err) {
        if (onError) onError(err);
        else toast(err.detail, { problem: true });
        return false;
      }
    });
    queue = run.then(() => undefined);
    return run;
  }

  const body = (t, patch = {}) => ({ kind: t.kind, name: t.name, memo: memoOf(t), members: t.members ?? [], updated_at: t.updated_at, ...patch });

  function saveTheme(t, patch, message) {
    return change(async () => {
      const fresh = themeOf(t.id) ?? t;
      const sent = body(fresh, patch);
      await api('PUT', `${base}/themes/${t.id}`, sent);
      if (drafts.get(t.id) === sent.memo) drafts.delete(t.id);
      if (message) toast(message);
      await reload();
    });
  }

  function addMember(t, id) {
    const fresh = themeOf(t.id) ?? t;
    if ((fresh.members ?? []).includes(id)) return Promise.resolve(true);
    const name = t.kind === DESCRIPTIVE ? codeOf(id)?.name : themeOf(id)?.name;
    return saveTheme(t, { members: [...(fresh.members ?? []), id] }, `Added ${name ?? 'it'} to ${t.name}`);
  }

  function removeMember(t, id) {
    const fresh = themeOf(t.id) ?? t;
    const name = t.kind === DESCRIPTIVE ? codeOf(id)?.name : themeOf(id)?.name;
    return saveTheme(t, { members: (fresh.members ?? []).filter((m) => m !== id) }, `Took ${name ?? 'it'} out of ${t.name}`);
  }

  function deleteTheme(t) {
    // eslint-disable-next-line no-alert
    if (!window.confirm(`Delete the ${t.kind} theme “${t.name}”? ${t.kind === DESCRIPTIVE ? 'Its codes stay in the codebook.' : 'Its descriptive themes stay.'} Findings about it keep their text without a theme.`)) return;
    change(async () => {
      await api('DELETE', `${base}/themes/${t.id}`);
      drafts.delete(t.id);
      if (open?.theme === t.id) open = null;
      toast(`Deleted the theme ${t.name}`);
      await reload();
      document.getElementById('new-theme-name')?.focus();
    });
  }

  /* ---------- Drag and drop (the selects and buttons do the same by keyboard). ---------- */

  const dragData = (ev, kind, id) => {
    ev.dataTransfer.setData('text/plain', `${kind}:${id}`);
    ev.dataTransfer.effectAllowed = 'copy';
  };
  function dropTarget(el, t) {
    const accepts = t.kind === DESCRIPTIVE ? 'code' : 'theme';
    el.addEventListener('dragover', (ev) => {
      ev.preventDefault();
      el.classList.add('over');
    });
    el.addEventListener('dragleave', () => el.classList.remove('over'));
    el.addEventListener('drop', (ev) => {
      ev.preventDefault();
      el.classList.remove('over');
      const [kind, id] = String(ev.dataTransfer.getData('text/plain')).split(':');
      if (kind !== accepts) {
        toast(t.kind === DESCRIPTIVE ? 'A descriptive theme groups codes: drop a code here.' : 'An analytical theme groups descriptive themes: drop a descriptive theme here.', { problem: true });
        return;
      }
      addMember(t, Number(id));
    });
  }

  /* ---------- The board. ---------- */

  function codeChip(code, { remove } = {}) {
    return h('li', { class: 'sx-chip', dataset: { code: code.id }, draggable: canEdit ? 'true' : null, ondragstart: (ev) => dragData(ev, 'code', code.id) },
      swatch(code), h('span', {}, code.name), h('span', { class: 'sx-count', title: plural(code.codings, 'coding') }, num(code.codings), h('span', { class: 'visually-hidden' }, ` ${code.codings === 1 ? 'coding' : 'codings'}`)),
      remove ? h('button', { type: 'button', class: 'link sx-remove', 'aria-label': `Take ${code.name} out of this theme`, title: 'Take out of this theme', onclick: remove }, '×') : null);
  }

  function studiesLine(t) {
    const n = (t.studies ?? []).length;
    return h('p', { class: 'muted small sx-theme-studies' }, n ? `Supported by ${plural(n, 'study', 'studies')}` : 'No supporting extracts yet');
  }

  function memoField(t) {
    const id = `theme-${t.id}-memo`;
    const area = h('textarea', { id, name: 'memo', rows: t.kind === ANALYTICAL ? '5' : '2', value: memoOf(t), disabled: !canEdit });
    const state = h('span', { class: 'muted small sx-memo-state', id: `${id}-state`, 'aria-live': 'polite' }, drafts.has(t.id) ? 'Not saved yet' : '');
    const save = () => {
      // Blur and the Save button both save: the same text goes once.
      if (!drafts.has(t.id) || saving.get(t.id) === drafts.get(t.id)) return Promise.resolve(true);
      saving.set(t.id, drafts.get(t.id));
      state.textContent = 'Saving…';
      return saveTheme(t, {}, 'Memo saved').finally(() => saving.delete(t.id));
    };
    area.addEventListener('input', () => {
      drafts.set(t.id, area.value);
      state.textContent = 'Not saved yet';
    });
    area.addEventListener('blur', () => {
      if (drafts.has(t.id) && drafts.get(t.id) !== (themeOf(t.id)?.memo ?? '')) save();
      else drafts.delete(t.id);
    });
    return h('div', { class: 'field sx-memo' },
      h('label', { for: id }, t.kind === ANALYTICAL ? 'Narrative memo' : 'Description', t.kind === ANALYTICAL ? null : h('span', { class: 'optional' }, ' (optional)')),
      t.kind === ANALYTICAL ? h('p', { class: 'hint' }, 'The interpretation that goes beyond the studies: what the descriptive themes mean together for the review question.') : null,
      area,
      canEdit ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'sx-small', id: `${id}-save`, onclick: save }, 'Save memo'), state) : null);
  }

  function adder(t) {
    const options = t.kind === DESCRIPTIVE
      ? codeTree(codes()).map((x) => x.code).filter((c) => !(t.members ?? []).includes(c.id))
      : descriptive().filter((d) => !(t.members ?? []).includes(d.id));
    if (!canEdit) return null;
    const id = `theme-${t.id}-add`;
    if (!options.length) {
      return h('p', { class: 'muted small' }, t.kind === DESCRIPTIVE ? 'Every code is in this theme.' : (descriptive().length ? 'Every descriptive theme is in this one.' : 'Create descriptive themes first.'));
    }
    const themed = new Set(descriptive().flatMap((d) => d.members ?? []));
    const select = h('select', { id, name: 'member' },
      t.kind === DESCRIPTIVE
        ? [
          h('optgroup', { label: 'Not yet in a theme' }, options.filter((c) => !themed.has(c.id)).map((c) => h('option', { value: c.id }, c.name))),
          h('optgroup', { label: 'Already in another theme' }, options.filter((c) => themed.has(c.id)).map((c) => h('option', { value: c.id }, c.name))),
        ]
        : options.map((d) => h('option', { value: d.id }, d.name)));
    for (const g of select.querySelectorAll('optgroup')) if (!g.children.length) g.remove();
    return h('div', { class: 'sx-adder' },
      h('label', { for: id, class: 'small' }, t.kind === DESCRIPTIVE ? 'Add a code' : 'Add a descriptive theme'),
      h('div', { class: 'sx-inline' }, select,
        h('button', { type: 'button', id: `${id}-btn`, onclick: async () => {
          if (!select.value) return;
          await addMember(t, Number(select.value));
          document.getElementById(`${id}`)?.focus();
        } }, 'Add')));
  }

  function themeCard(t) {
    const members = t.members ?? [];
    const card = h('article', { class: `sx-theme ${t.kind}`, id: `theme-${t.id}`, dataset: { theme: t.id }, 'aria-labelledby': `theme-${t.id}-name` },
    h('header', { class: 'sx-theme-head', draggable: canEdit && t.kind === DESCRIPTIVE ? 'true' : null,
      title: canEdit && t.kind === DESCRIPTIVE ? 'Drag onto an analytical theme to add it there' : null,
      ondragstart: t.kind === DESCRIPTIVE ? (ev) => dragData(ev, 'theme', t.id) : null },
      h('h3', { id: `theme-${t.id}-name` }, t.name),
      canEdit ? h('span', { class: 'sx-theme-tools' },
        h('button', { type: 'button', class: 'link', id: `theme-${t.id}-rename`, 'aria-label': `Rename the theme ${t.name}`, onclick: (ev) => {
          renameInPlace(ev.currentTarget.closest('.sx-theme-head'), t.name, `New name for the theme ${t.name}`, async (name) => {
            const fresh = themeOf(t.id) ?? t;
            await api('PUT', `${base}/themes/${t.id}`, body(fresh, { name }));
            toast(`Renamed the theme ${name}`);
            await reload();
            document.getElementById(`theme-${t.id}-rename`)?.focus();
          }, `theme-${t.id}-rename-input`);
        } }, 'Rename'),
        h('button', { type: 'button', class: 'link sx-delete-theme', id: `theme-${t.id}-delete`, 'aria-label': `Delete the theme ${t.name}`, onclick: () => deleteTheme(t) }, 'Delete')) : null),
    studiesLine(t),
    t.kind === DESCRIPTIVE
      ? (members.length
        ? h('ul', { class: 'sx-chips', 'aria-label': `Codes in ${t.name}` }, members.map((m) => codeOf(m)).filter(Boolean).map((c) => codeChip(c, { remove: canEdit ? () => removeMember(t, c.id) : null })))
        : h('p', { class: 'muted small' }, canEdit ? 'No codes yet: add one below or drop a code here.' : 'No codes yet.'))
      : (members.length
        ? h('ul', { class: 'sx-chips', 'aria-label': `Descriptive themes in ${t.name}` }, members.map((m) => themeOf(m)).filter(Boolean).map((d) => h('li', { class: 'sx-chip theme', dataset: { theme: d.id } },
          h('span', {}, d.name), h('span', { class: 'muted small' }, ` (${plural((d.members ?? []).length, 'code')})`),
          canEdit ? h('button', { type: 'button', class: 'link sx-remove', 'aria-label': `Take ${d.name} out of ${t.name}`, title: 'Take out of this theme', onclick: () => removeMember(t, d.id) }, '×') : null)))
        : h('p', { class: 'muted small' }, canEdit ? 'No descriptive themes yet: add one below or drop one here.' : 'No descriptive themes yet.')),
    adder(t),
    memoField(t));
    if (canEdit) dropTarget(card, t);
    return card;
  }

  const newName = h('input', { type: 'text', id: 'new-theme-name', name: 'name', autocomplete: 'off' });
  const newForm = h('form', { class: 'sx-new-theme card', id: 'new-theme-form', novalidate: true },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'field' }, h('label', { for: 'new-theme-name' }, 'New theme'),
      h('p', { class: 'hint' }, 'Descriptive themes stay close to the studies and group codes; analytical themes go beyond them and group descriptive themes.'),
      h('div', { class: 'sx-inline' }, newName,
        h('button', { type: 'submit', id: 'add-descriptive', value: DESCRIPTIVE }, 'Add descriptive theme'),
        h('button', { type: 'submit', id: 'add-analytical', value: ANALYTICAL }, 'Add analytical theme'))));
  newForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const kind = ev.submitter?.value === ANALYTICAL ? ANALYTICAL : DESCRIPTIVE;
    clearErrors(newForm);
    change(async () => {
      const made = await post(`${base}/themes`, { kind, name: newName.value, memo: '', members: [] });
      newName.value = '';
      toast(`Added the ${kind} theme ${made.name}`);
      await reload();
      document.getElementById(`theme-${made.id}-add`)?.focus();
    }, { onError: (err) => showErrors(newForm, err) });
  });

  function drawBoard() {
    const themed = new Set(descriptive().flatMap((d) => d.members ?? []));
    const loose = codeTree(codes()).map((x) => x.code).filter((c) => !themed.has(c.id));
    fill(board,
      h('section', { class: 'sx-column', 'aria-labelledby': 'sx-loose-title', id: 'unthemed-codes' },
        h('h2', { id: 'sx-loose-title' }, 'Codes not in a descriptive theme'),
        loose.length
          ? h('ul', { class: 'sx-chips' }, loose.map((c) => codeChip(c)))
          : h('p', { class: 'muted small' }, codes().length ? 'Every code is in a descriptive theme.' : 'No codes yet: code extracts on the Code page first.')),
      h('section', { class: 'sx-column', 'aria-labelledby': 'sx-desc-title', id: 'descriptive-themes' },
        h('h2', { id: 'sx-desc-title' }, 'Descriptive themes'),
        descriptive().length ? descriptive().map(themeCard) : h('p', { class: 'muted small' }, 'None yet.')),
      h('section', { class: 'sx-column', 'aria-labelledby': 'sx-anal-title', id: 'analytical-themes' },
        h('h2', { id: 'sx-anal-title' }, 'Analytical themes'),
        analytical().length ? analytical().map(themeCard) : h('p', { class: 'muted small' }, 'None yet.')));
  }

  /* ---------- The matrix. ---------- */

  function drawMatrix() {
    const studies = matrix.studies ?? [];
    const rows = [...(matrix.rows ?? [])].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === DESCRIPTIVE ? -1 : 1));
    if (!rows.length || !studies.length) {
      fill(matrixBox, h('p', { class: 'muted', id: 'matrix-empty' }, !studies.length ? 'No included studies yet.' : 'The matrix appears once there are themes.'));
      drawDetail();
      return;
    }
    const table = h('table', { id: 'matrix', class: 'sx-matrix' },
      h('caption', { class: 'visually-hidden' }, 'Themes by study: the number of supporting extracts in each study'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Theme'),
        studies.map((s) => h('th', { scope: 'col', class: 'num', dataset: { study: s.item_id ?? '' } }, s.label)),
        h('th', { scope: 'col', class: 'num' }, 'Studies'))),
      h('tbody', {}, rows.map((r, ri) => {
        const firstOfKind = ri === 0 || rows[ri - 1].kind !== r.kind;
        return h('tr', { class: `${r.kind}${firstOfKind && ri ? ' sx-kind-start' : ''}`, dataset: { theme: r.theme_id } },
          h('th', { scope: 'row' }, h('span', { class: `sx-kind-tag ${r.kind}` }, r.kind === DESCRIPTIVE ? 'D' : 'A', h('span', { class: 'visually-hidden' }, ` (${r.kind})`)), ' ', r.name),
          studies.map((s, i) => {
            const ids = r.cells?.[i] ?? [];
            const isOpen = open && open.theme === r.theme_id && open.item === s.item_id;
            return h('td', { class: `num${ids.length ? ' has' : ''}${isOpen ? ' open' : ''}`, dataset: { theme: r.theme_id, study: s.item_id ?? '' } },
              ids.length
                ? h('button', { type: 'button', class: 'sx-cell', 'aria-expanded': isOpen ? 'true' : 'false', 'aria-controls': 'matrix-detail',
                  'aria-label': `${plural(ids.length, 'supporting extract')} from ${s.label} for ${r.name}`,
                  onclick: () => {
                    open = isOpen ? null : { theme: r.theme_id, item: s.item_id };
                    drawMatrix();
                    if (open) document.getElementById('matrix-detail-title')?.focus();
                  } }, num(ids.length))
                : h('span', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '·'), h('span', { class: 'visually-hidden' }, 'none')));
          }),
          h('td', { class: 'num' }, num(r.studies)));
      })));
    fill(matrixBox, h('div', { class: 'table-wrap' }, table));
    drawDetail();
  }

  function drawDetail() {
    if (!open) {
      detail.hidden = true;
      fill(detail);
      return;
    }
    const studies = matrix.studies ?? [];
    const row = (matrix.rows ?? []).find((r) => r.theme_id === open.theme);
    const si = studies.findIndex((s) => s.item_id === open.item);
    if (!row || si === -1) {
      open = null;
      drawDetail();
      return;
    }
    const ids = row.cells?.[si] ?? [];
    const theme = themeOf(row.theme_id);
    const relevant = codesOfTheme(theme);
    const list = ids.map((id) => extracts.find((e) => e.id === id)).filter(Boolean);
    detail.hidden = false;
    fill(detail,
      h('div', { class: 'sx-detail-head' },
        h('h3', { id: 'matrix-detail-title', tabindex: '-1' }, `${row.name} in ${studies[si].label}: ${plural(list.length, 'extract')}`),
        h('button', { type: 'button', class: 'link', id: 'matrix-detail-close', onclick: () => {
          const back = open;
          open = null;
          drawMatrix();
          matrixBox.querySelector(`td[data-theme="${back.theme}"][data-study="${back.item}"] button`)?.focus();
        } }, 'Close')),
      h('p', { class: 'muted small' }, 'The words coded with the theme’s codes are marked.'),
      h('ol', { class: 'sx-detail-list' }, list.map((e) => {
        const codings = (e.codings ?? []).filter((c) => relevant.has(c.code_id));
        const names = [...new Set(codings.map((c) => codeOf(c.code_id)?.name).filter(Boolean))];
        return h('li', { class: 'sx-detail-extract', dataset: { extract: e.id } },
          h('p', { class: 'small muted' }, kindLabel(e.kind), e.page ? ` · p. ${e.page}` : '', e.section ? ` · ${e.section}` : ''),
          h(e.kind === 'author interpretation' ? 'div' : 'blockquote', { class: 'sx-text' }, marked(e.text, codings, codeOf)),
          names.length ? h('p', { class: 'small' }, 'Codes: ', names.join(', ')) : null);
      })));
  }

  /* ---------- Coder agreement. ---------- */

  const people = overview.people ?? [];
  const agreementBox = h('div', { id: 'agreement-result', 'aria-live': 'polite' });
  const personSelect = (id, chosen) => h('select', { id, name: id },
    people.map((p) => h('option', { value: p.id, selected: p.id === chosen }, p.id === overview.me ? `${p.name} (you)` : p.name)));
  const coderA = personSelect('agreement-a', overview.me ?? people[0]?.id);
  const coderB = personSelect('agreement-b', people.find((p) => p.id !== (overview.me ?? people[0]?.id))?.id);
  const fraction = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
  const kappa = (x) => (x === null || x === undefined ? '—' : x.toFixed(2));
  const agreementForm = h('form', { class: 'sx-agreement-form', id: 'agreement-form', novalidate: true },
    h('div', { class: 'sx-inline' },
      h('label', { for: 'agreement-a' }, 'Coder'), coderA,
      h('label', { for: 'agreement-b' }, 'and'), coderB,
      h('button', { type: 'submit', id: 'agreement-compare' }, 'Compare')));
  agreementForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (coderA.value === coderB.value) {
      fill(agreementBox, h('p', { class: 'form-error', role: 'alert' }, 'Choose two different coders.'));
      return;
    }
    try {
      const r = await get(`${base}/agreement?a=${encodeURIComponent(coderA.value)}&b=${encodeURIComponent(coderB.value)}`);
      const rows = r.codes ?? [];
      fill(agreementBox, rows.length
        ? h('div', { class: 'table-wrap' }, h('table', { id: 'agreement', class: 'sx-agreement' },
          h('caption', { class: 'small muted' }, `Each code applied or not to each of ${plural(r.extracts ?? 0, 'extract')}, by ${r.a?.name} and ${r.b?.name}.`),
          h('thead', {}, h('tr', {}, ['Code', 'Both', `Only ${r.a?.name}`, `Only ${r.b?.name}`, 'Neither', 'Agreement', 'Cohen’s κ']
            .map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
          h('tbody', {}, rows.map((x) => h('tr', { dataset: { code: x.code_id } },
            h('th', { scope: 'row' }, swatch(codeOf(x.code_id)), ' ', x.name),
            [x.both, x.only_a, x.only_b, x.neither].map((n) => h('td', { class: 'num' }, num(n))),
            h('td', { class: 'num' }, fraction(x.percent_agreement)),
            h('td', { class: 'num' }, kappa(x.kappa)))))))
        : h('p', { class: 'muted' }, 'No codes to compare yet.'));
    } catch (err) {
      fill(agreementBox, h('p', { class: 'form-error', role: 'alert' }, err.detail));
    }
  });

  /* ---------- The page. ---------- */

  fill(main,
    subnav(slug, 'themes'),
    h('div', { class: 'sx-themes-page', id: 'synthesis-themes' },
      h('h1', {}, 'Themes and matrix'),
      h('p', { class: 'lede' }, 'Group codes into descriptive themes, then descriptive themes into analytical themes. The matrix shows which studies support each theme: open a number to read the extracts behind it.'),
      canEdit ? newForm : null,
      board,
      h('section', { class: 'sx-matrix-section', 'aria-labelledby': 'sx-matrix-title' },
        h('div', { class: 'sx-section-head' },
          h('h2', { id: 'sx-matrix-title' }, 'Theme × study matrix'),
          h('a', { href: `${base}/matrix.csv`, download: '', id: 'matrix-csv' }, 'Download as CSV')),
        matrixBox,
        detail),
      people.length > 1
        ? h('section', { class: 'sx-agreement-section', 'aria-labelledby': 'sx-agreement-title' },
          h('h2', { id: 'sx-agreement-title' }, 'Coder agreement'),
          h('p', { class: 'muted small' }, 'When two people code the same extracts independently: how often they applied each code alike.'),
          agreementForm,
          agreementBox)
        : null));
  main.classList.add('wide');
  drawBoard();
  drawMatrix();
  focusHeading(main);
  setKeys(canEdit ? [{ key: 'n', label: 'Name a new theme', run: () => newName.focus() }] : []);
  return () => main.classList.remove('wide');
}
