// pages/synth-cerqual.js: owns the Synthesis CERQual worksheet: review findings with their contributing studies (and what the appraisal says about each), the four GRADE-CERQual components, the suggested and chosen overall confidence, and the Summary of Qualitative Findings table built from the assessed findings.

import { api, get, post } from '../api.js';
import { clearErrors, fill, h, num, showErrors } from '../dom.js';
import { setKeys } from '../keys.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { loadReview, showProblem } from './common.js';
import { apiBase, subnav } from './synth-common.js';

export const CONCERNS = [
  ['no_or_very_minor', 'No or very minor concerns'],
  ['minor', 'Minor concerns'],
  ['moderate', 'Moderate concerns'],
  ['serious', 'Serious concerns'],
];
export const CONFIDENCE = [
  ['high', 'High confidence'],
  ['moderate', 'Moderate confidence'],
  ['low', 'Low confidence'],
  ['very_low', 'Very low confidence'],
];
const COMPONENTS = [
  ['methodological_limitations', 'Methodological limitations', 'Concerns about the design or conduct of the studies contributing to the finding (see their appraisal beside each study).'],
  ['coherence', 'Coherence', 'How clear and cogent the fit is between the data from the studies and the finding.'],
  ['adequacy', 'Adequacy', 'How rich and how plentiful the data supporting the finding are.'],
  ['relevance', 'Relevance', 'How applicable the contexts of the studies are to the review question.'],
];
const confidenceLabel = (key) => CONFIDENCE.find(([k]) => k === key)?.[1] ?? key;

/**
 * The overall confidence the components suggest, as the server computes it: start at high, one step
 * down per serious concern, one more if two are moderate or three are minor or moderate. Null until
 * all four are set.
 */
export function suggest(concerns) {
  if (concerns.length !== 4 || concerns.some((c) => !CONCERNS.some(([k]) => k === c))) return null;
  const serious = concerns.filter((c) => c === 'serious').length;
  const moderate = concerns.filter((c) => c === 'moderate').length;
  const minorOrModerate = concerns.filter((c) => c === 'minor' || c === 'moderate').length;
  const steps = serious + (moderate >= 2 || minorOrModerate >= 3 ? 1 : 0);
  return CONFIDENCE[Math.min(CONFIDENCE.length - 1, steps)][0];
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = apiBase(slug);
  let overview;
  let data;
  const load = () => Promise.all([get(base), get(`${base}/findings`)]);
  try {
    [, [overview, data]] = await Promise.all([loadReview(slug, 'Synthesis'), load()]);
  } catch (err) {
    if (alive()) showProblem(main, 'The CERQual worksheet could not be loaded', err);
    return undefined;
  }
  if (!alive()) return undefined;
  const canEdit = Boolean(overview.can_edit);
  const themes = () => overview.themes ?? [];
  const studies = () => overview.studies ?? [];
  const listBox = h('div', { class: 'sx-findings', id: 'findings' });
  const soqfBox = h('div', { class: 'sx-soqf-box' });

  async function reload() {
    try {
      [overview, data] = await load();
    } catch (err) {
      toast(err.detail, { problem: true });
      return false;
    }
    return alive();
  }

  function themeSelect(id, chosen, { none = true } = {}) {
    const group = (kind, label) => {
      const list = themes().filter((t) => t.kind === kind);
      return list.length ? h('optgroup', { label }, list.map((t) => h('option', { value: t.id, selected: t.id === chosen }, t.name))) : null;
    };
    return h('select', { id, name: 'theme_id' },
      none ? h('option', { value: '', selected: chosen === null || chosen === undefined }, 'No theme') : null,
      group('analytical', 'Analytical themes'),
      group('descriptive', 'Descriptive themes'));
  }

  /* ---------- One finding's worksheet. ---------- */

  function findingCard(f, n) {
    const a = f.assessment ?? null;
    const prefix = `finding-${f.id}`;
    const theme = themes().find((t) => t.id === f.theme_id);
    const supporting = new Set(theme?.studies ?? []);
    const chosen = new Set(f.studies ?? []);
    const suggestion = h('p', { class: 'sx-suggested', id: `${prefix}-suggested`, 'aria-live': 'polite' });
    const overall = h('select', { id: `${prefix}-overall`, name: 'overall' },
      h('option', { value: '' }, 'Choose…'),
      CONFIDENCE.map(([k, label]) => h('option', { value: k, selected: a?.overall === k }, label)));
    const useIt = h('button', { type: 'button', class: 'sx-small', id: `${prefix}-use-suggested`, hidden: true }, 'Use the suggestion');

    const component = ([key, label, hint]) => {
      const c = a?.[key] ?? {};
      const selId = `${prefix}-${key}`;
      return h('div', { class: 'sx-component', dataset: { component: key } },
        h('label', { for: selId }, label),
        h('p', { class: 'hint small', id: `${selId}-hint` }, hint),
        h('select', { id: selId, name: key, 'aria-describedby': `${selId}-hint` },
          h('option', { value: '' }, 'Choose…'),
          CONCERNS.map(([k, text]) => h('option', { value: k, selected: c.concern === k }, text))),
        h('label', { for: `${selId}-explanation`, class: 'visually-hidden' }, `${label}: explanation`),
        h('textarea', { id: `${selId}-explanation`, name: `${key}-explanation`, rows: '2', placeholder: 'Why these concerns?', value: c.explanation ?? '' }));
    };

    const appraisalOf = (itemId) => data.appraisal?.[String(itemId)] ?? null;
    const studyList = studies().length
      ? h('ul', { class: 'sx-study-checks' }, studies().map((s) => {
        const ap = appraisalOf(s.item_id);
        const id = `${prefix}-study-${s.item_id}`;
        return h('li', {},
          h('label', { class: 'check', for: id },
            h('input', { type: 'checkbox', id, name: 'studies', value: s.item_id, checked: chosen.has(s.item_id) }),
            h('span', {},
              h('strong', {}, s.label),
              supporting.has(s.item_id) ? h('span', { class: 'badge' }, 'supports the theme') : null,
              h('span', { class: 'sx-appraisal small', id: `${id}-appraisal` },
                ap ? `${ap.instrument ? `${ap.instrument}: ` : ''}${ap.summary}` : 'Not appraised yet (or not reconciled)'))));
      }))
      : h('p', { class: 'muted' }, 'No included studies.');

    const form = h('form', { class: `sx-finding card${f.assessed ? ' assessed' : ''}`, id: prefix, dataset: { finding: f.id }, novalidate: true, 'aria-labelledby': `${prefix}-title` },
      h('fieldset', { class: 'plain', disabled: !canEdit },
        h('div', { class: 'sx-finding-head' },
          h('h3', { id: `${prefix}-title`, tabindex: '-1' }, `Finding ${num(n)}`),
          f.assessed ? h('span', { class: 'sx-assessed', id: `${prefix}-assessed` }, confidenceLabel(a?.overall)) : h('span', { class: 'muted small' }, 'Not assessed yet')),
        h('div', { class: 'field' },
          h('label', { for: `${prefix}-summary` }, 'Summary of the review finding'),
          h('textarea', { id: `${prefix}-summary`, name: 'summary', rows: '3', value: f.summary ?? '' })),
        h('div', { class: 'field' }, h('label', { for: `${prefix}-theme` }, 'Theme'), themeSelect(`${prefix}-theme`, f.theme_id)),
        h('fieldset', { class: 'sx-studies-set' },
          h('legend', {}, 'Studies contributing to the finding'),
          studyList),
        h('div', { class: 'sx-components' }, COMPONENTS.map(component)),
        h('div', { class: 'sx-overall' },
          h('div', { class: 'field' },
            h('label', { for: overall.id }, 'Overall CERQual assessment of confidence'),
            h('div', { class: 'sx-inline' }, overall, useIt),
            suggestion),
          h('div', { class: 'field' },
            h('label', { for: `${prefix}-explanation` }, 'Explanation of the assessment'),
            h('p', { class: 'hint small' }, 'Printed beside the assessment in the Summary of Qualitative Findings table.'),
            h('textarea', { id: `${prefix}-explanation`, name: 'explanation', rows: '2', value: a?.explanation ?? '' }))),
        h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true, id: `${prefix}-error` }),
        canEdit ? h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', id: `${prefix}-save` }, 'Save'),
          h('button', { type: 'button', id: `${prefix}-draft`, onclick: () => save(true) }, 'Save as draft'),
          h('span', { class: 'muted small sx-save-state', id: `${prefix}-state`, 'aria-live': 'polite' },
            f.assessment && !f.assessed ? 'Draft: not in the SoQF table yet.' : ''),
          h('button', { type: 'button', class: 'link sx-delete-finding', id: `${prefix}-delete`, onclick: () => deleteFinding(f) }, 'Delete the finding')) : null));

    const concerns = () => COMPONENTS.map(([key]) => form.querySelector(`[name="${key}"]`).value);
    const showSuggestion = () => {
      const s = suggest(concerns());
      if (!s) {
        suggestion.textContent = 'Set the four components to see the confidence they suggest.';
        useIt.hidden = true;
        return;
      }
      suggestion.textContent = `Suggested from the components: ${confidenceLabel(s)}. Start at high; one step down for each serious concern, and one more for two moderate or three minor-or-moderate concerns. Your judgement decides.`;
      useIt.hidden = overall.value === s || !canEdit;
      useIt.onclick = () => {
        overall.value = s;
        useIt.hidden = true;
        overall.focus();
      };
    };
    form.addEventListener('change', () => {
      showSuggestion();
      state().textContent = 'Not saved yet';
    });
    form.addEventListener('input', () => {
      state().textContent = 'Not saved yet';
    });
    const state = () => form.querySelector('.sx-save-state') ?? h('span');
    showSuggestion();

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      save(false);
    });
    // A draft keeps an unfinished worksheet; it stays out of the SoQF table until saved complete.
    async function save(draft) {
      clearErrors(form);
      const themeValue = form.querySelector('[name="theme_id"]').value;
      const parts = COMPONENTS.map(([key]) => [key, {
        concern: form.querySelector(`[name="${key}"]`).value,
        explanation: form.querySelector(`[name="${key}-explanation"]`).value,
      }]);
      const explanation = form.querySelector('[name="explanation"]').value;
      const started = parts.some(([, c]) => c.concern || c.explanation.trim()) || overall.value || explanation.trim();
      const sent = {
        theme_id: themeValue ? Number(themeValue) : null,
        summary: form.querySelector('[name="summary"]').value,
        studies: [...form.querySelectorAll('input[name="studies"]:checked')].map((c) => Number(c.value)),
        assessment: started ? { ...Object.fromEntries(parts), overall: overall.value, explanation } : null,
        draft,
        updated_at: f.updated_at,
      };
      const button = form.querySelector(`#${prefix}-save`);
      button.disabled = true;
      try {
        await api('PUT', `${base}/findings/${f.id}`, sent);
        toast(draft ? `Finding ${n} saved as a draft` : `Finding ${n} saved`);
        if (await reload()) {
          const fresh = (data.findings ?? []).find((x) => x.id === f.id);
          if (fresh) {
            const card = findingCard(fresh, n);
            form.replaceWith(card);
            card.querySelector('.sx-save-state').textContent = fresh.assessed || !fresh.assessment
              ? 'Saved'
              : `Draft saved; not in the SoQF table yet. Still needed: ${fresh.missing ?? ''}`;
          }
          drawSoqf();
        }
      } catch (err) {
        showErrors(form, err);
      } finally {
        button.disabled = false;
      }
    }
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    return form;
  }

  async function deleteFinding(f) {
    // eslint-disable-next-line no-alert
    if (!window.confirm('Delete this review finding and its CERQual assessment?')) return;
    try {
      await api('DELETE', `${base}/findings/${f.id}`);
      toast('Finding deleted');
      if (await reload()) drawAll();
      document.getElementById('new-finding-summary')?.focus();
    } catch (err) {
      toast(err.detail, { problem: true });
    }
  }

  /* ---------- Adding a finding. ---------- */

  const firstAnalytical = themes().find((t) => t.kind === 'analytical') ?? themes()[0];
  const newTheme = themeSelect('new-finding-theme', firstAnalytical?.id ?? null);
  const newSummary = h('textarea', { id: 'new-finding-summary', name: 'summary', rows: '3' });
  const addForm = h('form', { class: 'sx-add-finding card stack', id: 'add-finding-form', novalidate: true, 'aria-labelledby': 'add-finding-title' },
    h('h2', { id: 'add-finding-title' }, 'Add a review finding'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'field' }, h('label', { for: 'new-finding-theme' }, 'Theme'),
      h('p', { class: 'hint' }, 'The contributing studies start as the studies supporting this theme; change them on the worksheet.'), newTheme),
    h('div', { class: 'field' }, h('label', { for: 'new-finding-summary' }, 'Summary of the review finding'),
      h('p', { class: 'hint' }, 'One or two sentences, as they will read in the Summary of Qualitative Findings table.'), newSummary),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'add-finding' }, 'Add the finding')));
  addForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    try {
      const made = await post(`${base}/findings`, { theme_id: newTheme.value ? Number(newTheme.value) : null, summary: newSummary.value });
      newSummary.value = '';
      toast('Finding added: assess it below');
      if (await reload()) drawAll();
      const title = document.getElementById(`finding-${made.id}-title`);
      title?.scrollIntoView({ block: 'start' });
      document.getElementById(`finding-${made.id}-methodological_limitations`)?.focus({ preventScroll: true });
    } catch (err) {
      showErrors(addForm, err);
    }
  });

  /* ---------- The SoQF table. ---------- */

  function drawSoqf() {
    const assessed = (data.findings ?? []).filter((f) => f.assessed && f.assessment);
    fill(soqfBox,
      assessed.length
        ? h('div', { class: 'table-wrap' }, h('table', { id: 'soqf', class: 'sx-soqf' },
          h('caption', { class: 'visually-hidden' }, 'Summary of Qualitative Findings'),
          h('thead', {}, h('tr', {},
            ['No.', 'Summary of review finding', 'Studies contributing to the review finding', 'CERQual assessment of confidence in the evidence', 'Explanation of CERQual assessment']
              .map((t, i) => h('th', { scope: 'col', class: i === 0 ? 'num' : null }, t)))),
          h('tbody', {}, assessed.map((f, i) => h('tr', { dataset: { finding: f.id } },
            h('td', { class: 'num' }, num(i + 1)),
            h('td', {}, f.summary),
            h('td', {}, (f.study_labels ?? []).join('; ')),
            h('td', { class: 'sx-confidence' }, confidenceLabel(f.assessment.overall)),
            h('td', {}, f.assessment.explanation))))))
        : h('p', { class: 'muted', id: 'soqf-empty' }, 'The table fills as findings are assessed: every component, the overall confidence and its explanation.'));
  }

  function drawAll() {
    const findings = data.findings ?? [];
    // A worksheet with unsaved changes is kept as it is, so adding or deleting another finding never
    // throws away someone's typing.
    const unsaved = new Map();
    for (const card of listBox.querySelectorAll('form.sx-finding')) {
      if (card.querySelector('.sx-save-state')?.textContent === 'Not saved yet') unsaved.set(Number(card.dataset.finding), card);
    }
    fill(listBox,
      findings.length
        ? findings.map((f, i) => unsaved.get(f.id) ?? findingCard(f, i + 1))
        : h('p', { class: 'muted', id: 'no-findings' }, themes().length ? 'No review findings yet: add the first below.' : 'No review findings yet. Build themes on the Themes page first, then add a finding for each.'));
    drawSoqf();
  }

  fill(main,
    subnav(slug, 'cerqual'),
    h('div', { class: 'sx-cerqual-page', id: 'synthesis-cerqual' },
      h('h1', {}, 'CERQual worksheet'),
      h('p', { class: 'lede' }, 'For each review finding, judge the four GRADE-CERQual components, then the overall confidence that the finding is a reasonable representation of the phenomenon of interest.'),
      listBox,
      canEdit ? addForm : null,
      h('section', { class: 'sx-soqf-section', 'aria-labelledby': 'soqf-title' },
        h('h2', { id: 'soqf-title' }, 'Summary of Qualitative Findings'),
        soqfBox,
        h('ul', { class: 'downloads', id: 'soqf-downloads' },
          h('li', {}, h('a', { href: `${base}/soqf.csv`, download: '' }, 'Summary of Qualitative Findings (CSV)')),
          h('li', {}, h('a', { href: `${base}/soqf.html`, target: '_blank', rel: 'noopener' }, 'Summary of Qualitative Findings (HTML)'), h('span', { class: 'hint' }, ' (opens in a new tab; paste into a manuscript)')),
          h('li', {}, h('a', { href: `${base}/evidence-profile.csv`, download: '' }, 'CERQual evidence profile (CSV)')),
          h('li', {}, h('a', { href: `${base}/evidence-profile.html`, target: '_blank', rel: 'noopener' }, 'CERQual evidence profile (HTML)'))))));
  main.classList.add('wide');
  drawAll();
  focusHeading(main);
  setKeys(canEdit ? [{ key: 'n', label: 'Write a new review finding', run: () => newSummary.focus() }] : []);
  return () => main.classList.remove('wide');
}
