// pages/import.js: owns the Import page: the drop zone and form, a preview of the chosen file (what sift detected,
// before anything is stored, filling in the source's name and platform), following the import job, and its result
// or the lines that stopped it.

import { ApiError, api, get } from '../api.js';
import { clearErrors, field, h, num, plural, sentence, showErrors } from '../dom.js';
import { focusHeading } from '../router.js';
import { loadReview, showProblem } from './common.js';

const KINDS = [
  ['database', 'Database'],
  ['register', 'Register'],
  ['website', 'Website'],
  ['organisation', 'Organisation'],
  ['citation_searching', 'Citation searching'],
  ['other', 'Other'],
];

const FORMATS = [
  ['auto', 'Detect it from the file'],
  ['ris', 'RIS'],
  ['pubmed-xml', 'PubMed XML'],
  ['endnote-xml', 'EndNote XML'],
  ['nbib', 'MEDLINE .nbib'],
  ['wos', 'Web of Science'],
  ['bibtex', 'BibTeX'],
  ['csv', 'CSV'],
];

const STAGES = { importing: 'Reading and storing the records', deduplicating: 'Looking for duplicates' };

const options = (list, selected) => list.map(([v, label]) => h('option', { value: v, selected: v === selected }, label));

/** The list of problems with their line numbers, as "line N: message". */
function diagnostics(list, label) {
  return h('ul', { class: 'diagnostics', 'aria-label': label },
    list.map((d) => h('li', {}, h('span', { class: 'line' }, `line ${d.line}`), `: ${d.message}`)));
}

/** Lists at most `max` diagnostics, then says how many more there are. */
function someDiagnostics(list, label, total, max = 20) {
  const shown = list.slice(0, max);
  return [diagnostics(shown, label), total > shown.length ? h('p', { class: 'muted' }, `…and ${plural(total - shown.length, 'more')}.`) : null];
}

/** What the chosen file holds, as the server read it without storing anything. */
function previewCard(p, fileName) {
  const from = p.format_label ? `${p.format_label}${p.origin ? ` from ${p.origin}` : ''}` : 'A file sift cannot read';
  const counts = [plural(p.records, 'record'), p.warnings ? plural(p.warnings, 'warning') : (p.errors ? null : 'no warnings'), p.errors ? plural(p.errors, 'error') : null].filter(Boolean);
  const years = p.year_from ? (p.year_from === p.year_to ? `${p.year_from}` : `${p.year_from}–${p.year_to}`) : null;
  const facts = [years && `published ${years}`, p.records ? `${num(p.with_abstract)} with abstracts` : null, p.records ? `${num(p.with_doi)} with DOIs` : null].filter(Boolean);
  const warnings = p.diagnostics.filter((d) => d.severity === 'warning');
  const errors = p.diagnostics.filter((d) => d.severity === 'error');
  const already = p.already_imported;
  return h('section', { class: `card preview${p.importable ? '' : ' failed'}`, id: 'import-preview', dataset: { importable: String(p.importable), records: p.records }, 'aria-labelledby': 'preview-title' },
    h('h2', { id: 'preview-title' }, `${from}: ${counts.join(', ')}`),
    facts.length ? h('p', { class: 'muted' }, `${sentence(facts.join(' · ')).replace(/\.$/, '')} · nothing is stored until you import.`) : null,
    already ? h('p', { class: 'notice', id: 'preview-already', role: 'status' },
      h('strong', {}, 'This exact file was imported already'), ` as “${already.name}” (${already.file_name}, ${new Date(already.imported_at).toLocaleDateString()}). Importing it again adds its records a second time; deduplication would then merge them.`) : null,
    !p.importable ? h('div', { role: 'alert' },
      h('p', {}, h('strong', {}, `${fileName} would not be imported. `), p.errors ? 'Fix these lines in the file, or choose its format below:' : (p.records ? 'sift cannot tell its format; choose it below.' : 'It holds no records.')),
      errors.length ? someDiagnostics(errors, 'Problems in the file', p.errors) : null) : null,
    p.sample.length ? h('ol', { class: 'sample', 'aria-label': 'The first records' },
      p.sample.map((r) => h('li', {}, h('span', { class: 'title' }, r.title || '(no title)'),
        h('span', { class: 'muted' }, ` · ${[r.authors[0] ? `${r.authors[0]}${r.authors.length > 1 ? ' et al.' : ''}` : null, r.journal, r.year].filter(Boolean).join(' · ')}`)))) : null,
    warnings.length ? h('details', { id: 'preview-warnings' }, h('summary', {}, `The ${plural(p.warnings, 'warning')}: the records are usable`), someDiagnostics(warnings, 'Warnings', p.warnings)) : null,
  );
}

function doneResult(job, slug, fileName) {
  const r = job.result ?? {};
  const warnings = r.warnings ?? [];
  const base = `/reviews/${encodeURIComponent(slug)}`;
  return h('section', { class: 'card result', id: 'import-result', dataset: { state: 'done' }, 'aria-labelledby': 'result-title' },
    h('h2', { id: 'result-title', tabindex: '-1' }, `Imported ${plural(r.records ?? 0, 'record')}${fileName ? ` from ${fileName}` : ''}`),
    h('dl', {},
      h('dt', {}, 'Records added'), h('dd', { dataset: { result: 'records' } }, num(r.records)),
      h('dt', {}, 'Format'), h('dd', {}, FORMATS.find(([v]) => v === r.format)?.[1] ?? r.format ?? '—'),
      h('dt', {}, 'Warnings'), h('dd', { dataset: { result: 'warnings' } }, num(warnings.length)),
      h('dt', {}, 'Duplicates merged automatically'), h('dd', { dataset: { result: 'duplicates_merged' } }, num(r.duplicates_merged)),
      h('dt', {}, 'Possible duplicates for a person'), h('dd', { dataset: { result: 'duplicates_queued' } }, num(r.duplicates_queued)),
      h('dt', {}, 'Duplicates removed in the review'), h('dd', {}, num(r.duplicates_removed)),
    ),
    warnings.length ? [h('h3', {}, 'Warnings'), diagnostics(warnings, 'Warnings')] : null,
    h('p', { class: 'actions' },
      r.duplicates_queued > 0 ? h('a', { class: 'button primary', href: `${base}/duplicates` }, 'Judge the possible duplicates') : null,
      h('a', { class: 'button', href: base }, 'See the dashboard'),
      h('a', { class: 'button', href: `${base}/records` }, 'See the records'),
    ),
  );
}

function failedResult(job, fileName) {
  const r = job.result ?? {};
  const diags = r.diagnostics ?? [];
  return h('section', { class: 'card result failed', id: 'import-result', dataset: { state: 'failed' }, role: 'alert', 'aria-labelledby': 'result-title' },
    h('h2', { id: 'result-title', tabindex: '-1' }, fileName ? `${fileName} was not imported` : 'The file was not imported'),
    // The error sentence repeats the lines when there are some; then the list says it better.
    h('p', {}, diags.length && /^nothing was imported/i.test(r.error ?? '')
      ? 'Nothing was imported. sift stopped at these lines:'
      : sentence(r.error ?? 'The import failed and nothing was stored.')),
    diags.length ? diagnostics(diags, 'Problems in the file') : null,
    h('p', { class: 'muted' }, 'Your answers in the form are kept: fix the file or choose its format, and import again.'),
  );
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  let review;
  try {
    review = await loadReview(slug, 'Import');
  } catch (err) {
    if (alive()) showProblem(main, 'This review could not be opened', err);
    return;
  }
  if (!alive()) return;
  let stopped = false;

  const file = h('input', { type: 'file', name: 'file', id: 'file', required: true, accept: '.ris,.txt,.xml,.nbib,.bib,.csv,.ciw,.tsv' });
  const chosen = h('p', { class: 'chosen', id: 'chosen', 'aria-live': 'polite' }, 'No file chosen yet.');
  const zone = h('div', { class: 'dropzone', id: 'dropzone' },
    field('Exported file', file, { hint: 'Drop the file here, or choose it. RIS, PubMed XML, EndNote XML, MEDLINE .nbib, Web of Science, BibTeX or CSV.' }),
    chosen,
  );
  const previewSlot = h('div', { id: 'preview-slot', 'aria-live': 'polite' });
  const showChosen = () => {
    const f = file.files?.[0];
    chosen.textContent = f ? `Chosen: ${f.name} (${num(Math.ceil(f.size / 1024))} KB)` : 'No file chosen yet.';
    // A new file: the last import's result is about another one.
    if (f) resultSlot.replaceChildren();
    preview();
  };
  file.addEventListener('change', showChosen);
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer?.files?.length) {
      file.files = e.dataTransfer.files;
      showChosen();
    }
  });

  const name = h('input', { type: 'text', name: 'database_name', required: true, autocomplete: 'off' });
  const kind = h('select', { name: 'kind' }, options(KINDS, 'database'));
  const platform = h('input', { type: 'text', name: 'platform', autocomplete: 'off' });
  const date = h('input', { type: 'date', name: 'searched_on' });
  const query = h('textarea', { name: 'query', rows: '4', spellcheck: 'false' });
  const format = h('select', { name: 'format' }, options(FORMATS, 'auto'));
  format.addEventListener('change', () => preview());
  // What the last preview filled in, so that a field the person typed in is never overwritten.
  const filled = new Map();
  // A field still holding what an earlier preview put there follows the new file (and empties when
  // the new file names nothing).
  const fillIn = (input, value) => {
    if (input.value.trim() && input.value !== filled.get(input)) return;
    input.value = value ?? '';
    filled.set(input, input.value);
    if (value) input.dataset.filled = 'preview';
    else delete input.dataset.filled;
  };
  for (const input of [name, platform]) input.addEventListener('input', () => delete input.dataset.filled);
  let asked = 0;
  async function preview() {
    const n = ++asked;
    const f = file.files?.[0];
    previewSlot.replaceChildren();
    if (!f) return;
    const fd = new FormData();
    fd.append('file', f);
    fd.append('format', format.value);
    previewSlot.replaceChildren(h('p', { class: 'loading', role: 'status' }, `Reading ${f.name}…`));
    try {
      const p = await api('POST', `${base}/imports/preview`, fd);
      if (n !== asked || !alive()) return;
      previewSlot.replaceChildren(previewCard(p, f.name));
      fillIn(name, p.importable ? p.database : null);
      fillIn(platform, p.importable ? p.platform : null);
    } catch (err) {
      if (n === asked && alive()) previewSlot.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, sentence(err.detail ?? 'The file could not be read.')));
    }
  }
  const submit = h('button', { type: 'submit', class: 'primary', id: 'import-submit' }, 'Import');
  const progressText = h('p', { id: 'import-stage' });
  const bar = h('progress', { max: '1', 'aria-labelledby': 'import-stage' });
  const progress = h('div', { class: 'progress', id: 'import-progress', role: 'status', hidden: true }, progressText, bar);
  const resultSlot = h('div', { id: 'result-slot' });

  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'import-title' },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    zone,
    previewSlot,
    h('div', { class: 'row' },
      field('Database or source name', name, { hint: 'As it should appear in the PRISMA diagram, e.g. MEDLINE, CINAHL, Scopus.' }),
      field('Kind of source', kind),
    ),
    h('div', { class: 'row' },
      field('Platform', platform, { optional: true, hint: 'The interface searched, e.g. Ovid, EBSCOhost.' }),
      field('Searched on', date, { optional: true }),
    ),
    field('Search query', query, { optional: true, hint: 'The search string exactly as it was run.' }),
    field('File format', format, { hint: 'sift detects the format; choose one only if detection gets it wrong.' }),
    h('div', { class: 'actions' }, submit),
  );

  const follow = async (job) => {
    const showTimer = setTimeout(() => {
      progress.hidden = false;
    }, 100);
    let failures = 0;
    try {
      while (!stopped && job.state === 'running') {
        progressText.textContent = `${STAGES[job.stage] ?? sentence(job.stage || 'working')}${job.done ? `: ${num(job.done)}${job.total ? ` of ${num(job.total)}` : ''}` : ''}…`;
        if (job.total > 0) {
          bar.max = job.total;
          bar.value = Math.min(job.done, job.total);
        } else {
          bar.removeAttribute('value');
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        if (stopped) return null;
        try {
          job = await get(`${base}/jobs/${encodeURIComponent(job.id)}`);
          failures = 0;
        } catch (err) {
          failures += 1;
          if (failures >= 5 || (err instanceof ApiError && err.status !== 0 && err.status < 500)) throw err;
          progressText.textContent = `${err.detail} Trying again…`;
        }
      }
      return job;
    } finally {
      clearTimeout(showTimer);
      progress.hidden = true;
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    resultSlot.replaceChildren();
    const missing = [];
    if (!file.files?.length) missing.push({ field: 'file', message: 'attach the exported file' });
    if (!name.value.trim()) missing.push({ field: 'database_name', message: 'name the database or register searched, e.g. MEDLINE' });
    if (missing.length) {
      showErrors(form, { errors: missing, detail: 'Fill in the fields marked.' });
      return;
    }
    submit.disabled = true;
    try {
      const fileName = file.files[0].name;
      const job = await api('POST', `${base}/imports`, new FormData(form));
      const ended = await follow(job);
      if (!ended || !alive()) return;
      if (ended.state === 'done') {
        resultSlot.replaceChildren(doneResult(ended, slug, fileName));
        form.reset();
        filled.clear();
        showChosen();
      } else {
        resultSlot.replaceChildren(failedResult(ended, fileName));
      }
      resultSlot.querySelector('h2')?.focus();
    } catch (err) {
      if (alive()) showErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  });

  main.replaceChildren(
    h('h1', { id: 'import-title' }, 'Import a search'),
    h('p', { class: 'lede' }, `Each file becomes one search source of “${review.title}”. The import is all or nothing: a file with an error stores nothing, and sift names the line.`),
    form,
    progress,
    resultSlot,
  );
  focusHeading(main);
  return () => {
    stopped = true;
  };
}
