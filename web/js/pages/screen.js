// pages/screen.js: owns the screening page: one record at a time from a prefetched queue, votes by key
// (I / E + reason / M, N note, T tags, U undo, J/K history, / search my decisions), votes sent in the background and retried until saved,
// my own progress in the header, and at full text the PDF beside the record (or its upload).

import { api, get, post } from '../api.js';
import { fill, h, num } from '../dom.js';
import { setHelpExtra, setKeys, showHelp } from '../keys.js';
import { currentUser } from '../layout.js';
import { focusHeading, navigate } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';
import { STAGES, VOTED, criteriaView, decisionMatches, highlighter, recordView, voteText } from './screenkit.js';

/** Records asked for at once: the one on screen and two behind it, so fast hands never wait. */
const AHEAD = 3;
const DECIDED = new Set(['included', 'excluded', 'not_retrieved']);
/**
 * Votes still being sent, in order. They outlive the page (leaving it does not lose them) and are kept
 * in this browser's storage under the person's id, so a reload or a crash does not lose them either.
 * Each belongs to the person who cast it and is only ever sent while that person is signed in.
 */
const outbox = [];
let pumping = false;
let wake = null;
let onOutbox = () => {};
const STORE = 'sift-outbox:';

function persist() {
  const owners = new Set(outbox.map((o) => o.user));
  try {
    for (const user of owners) {
      const mine = outbox.filter((o) => o.user === user).map(({ user: u, stage, kind, id, method, path, body, shown }) => ({ user: u, stage, kind, id, method, path, body, shown }));
      localStorage.setItem(STORE + user, JSON.stringify(mine));
    }
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const k = localStorage.key(i);
      if (k?.startsWith(STORE) && !owners.has(Number(k.slice(STORE.length)))) localStorage.removeItem(k);
    }
  } catch {
    // Storage full or switched off: this tab still holds the votes.
  }
}

/** Puts back votes a reload or crash left unsent, for the person signed in now. */
function restore(user) {
  if (outbox.some((o) => o.user === user)) return;
  try {
    const saved = JSON.parse(localStorage.getItem(STORE + user) ?? '[]');
    for (const op of saved) if (op.user === user) outbox.push({ ...op, status: 'queued' });
  } catch {
    // Nothing readable to restore.
  }
}

function retriable(err) {
  return err.status === 0 || err.status === 401 || err.status === 408 || err.status === 429 || err.status >= 500;
}

function sleep(ms) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
}

/** Sends the outbox in order, one request at a time; failures that may pass are retried with a growing pause. */
async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    for (;;) {
      // Only the signed-in person's votes go out; anyone else's wait (stored) for them to come back.
      const op = outbox.find((o) => o.user === currentUser()?.id);
      if (!op) break;
      op.status = 'sending';
      onOutbox();
      try {
        const res = await api(op.method, op.path, op.body, { quiet: true });
        outbox.splice(outbox.indexOf(op), 1);
        persist();
        op.done?.(res);
      } catch (err) {
        if (retriable(err)) {
          op.status = 'failed';
          op.tries = (op.tries ?? 0) + 1;
          op.error = err.status === 401
            ? 'Your session has ended: sign in again in another tab and this vote will be sent.'
            : err.detail;
          const wait = Math.min(15000, 1000 * 2 ** Math.min(op.tries - 1, 4));
          op.retryAt = Date.now() + wait;
          onOutbox();
          await sleep(wait);
        } else {
          outbox.splice(outbox.indexOf(op), 1);
          persist();
          op.failed?.(err);
        }
      }
      onOutbox();
    }
  } finally {
    pumping = false;
    wake = null;
    onOutbox(true);
  }
}

window.addEventListener('beforeunload', (e) => {
  if (outbox.length) {
    e.preventDefault();
    e.returnValue = '';
  }
});

export async function render({ main, params, query, alive }) {
  const slug = params.slug;
  const stage = params.stage;
  const stageInfo = STAGES[stage];
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  const page = `${stageInfo?.name ?? 'Screening'} screening`;
  if (!stageInfo) {
    loadReview(slug, 'Screening', 'Screen').catch(() => {});
    showProblem(main, 'There is no such screening stage', { detail: 'Screening has two stages: title/abstract and full text.' });
    return;
  }
  const wanted = Number.parseInt(query.get('item') ?? '', 10);
  let review;
  let protocol;
  let progress;
  let history;
  let first;
  let opened = null;
  try {
    [review, protocol, progress, history, first, opened] = await Promise.all([
      loadReview(slug, page, 'Screen'),
      get(`${base}/protocol`),
      get(`${base}/stages/${stage}/progress`),
      get(`${base}/stages/${stage}/my-votes?limit=50`),
      post(`${base}/stages/${stage}/next?count=${AHEAD}`),
      Number.isFinite(wanted) ? get(`${base}/items/${wanted}`) : null,
    ]);
  } catch (err) {
    if (alive()) showProblem(main, 'Screening could not start', err);
    return;
  }
  if (!alive()) return;

  const lead = isLead(review);
  const me = currentUser()?.id;
  restore(me);
  const pendingMine = () => outbox.filter((o) => o.user === me).length;
  let hl = highlighter(protocol);
  let reasons = protocol.reasons ?? [];
  // A vote says which protocol version it was made under: a newer one than this page has means the
  // lead amended the criteria meanwhile. Read them again and say so, once per version.
  let amending = false;
  async function noticeAmendment(voteView) {
    const v = voteView?.protocol_version;
    if (!v || v <= protocol.version || amending || !alive()) return;
    amending = true;
    try {
      const fresh = await get(`${base}/protocol`);
      if (!alive()) return;
      protocol = fresh;
      hl = highlighter(protocol);
      reasons = protocol.reasons ?? [];
      nodes = new WeakMap();
      if (mode !== 'reason') show();
      toast(`The criteria were amended (version ${protocol.version}): press ? to read them`);
    } catch {
      // The next vote tries again.
    } finally {
      amending = false;
    }
  }
  const fullText = stage === 'full_text';
  // Votes in the outbox from an earlier visit to this page still count as cast.
  const voted = new Set(outbox.filter((o) => o.kind === 'vote' && o.stage === stage && o.user === me).map((o) => o.id));
  const serverHas = new Set(history.map((i) => i.id));
  let buffer = first.filter((i) => !voted.has(i.id));
  if (opened && !buffer.some((i) => i.id === opened.id)) {
    if (opened.stage !== stage) {
      navigate(`/reviews/${encodeURIComponent(slug)}/screen/${opened.stage}?item=${opened.id}`, { replace: true });
      return;
    }
    if (!opened.my_vote && !DECIDED.has(opened.state)) buffer.unshift(opened);
  }
  let histPos = -1;
  // A decision opened from a search of my decisions (`/`), shown until J or a vote moves on.
  let found = null;
  let mode = 'normal';
  let refilling = false;
  let loaded = true;
  let mine = progress.my_votes;
  let remaining = progress.my_remaining;
  let conflicts = progress.states?.conflict ?? null;
  let nodes = new WeakMap();

  // The header: my progress only, never a co-reviewer's.
  const status = document.getElementById('status');
  const drawStatus = () => {
    const total = mine + remaining;
    fill(status,
      h('span', { id: 'my-progress', dataset: { done: mine, total } }, h('strong', {}, num(mine)), ` / ${num(total)} mine`),
      lead && conflicts ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
        h('a', { href: `/reviews/${encodeURIComponent(slug)}/conflicts/${stage}`, id: 'conflict-count' }, `${num(conflicts)} conflict${conflicts === 1 ? '' : 's'}`)] : null,
    );
  };

  const slot = h('div', { class: 'screen-slot', id: 'screen-slot' });
  const where = h('p', { class: 'where', id: 'where', 'aria-live': 'polite' });
  const saveState = h('p', { class: 'save-state', id: 'save-state', role: 'status', dataset: { pending: '0' } });
  // N and T open a box whose contents are kept for the next vote: a note, and tags (tidied as the
  // server tidies them).
  const kept = {
    note: keptForNextVote({
      name: 'note',
      label: 'Note',
      box: h('textarea', { id: 'note', name: 'note', rows: '2', 'aria-describedby': 'note-hint', placeholder: 'A note for this record' }),
      hint: [h('kbd', {}, 'Enter'), ' keeps it for your next vote · ', h('kbd', {}, 'Shift'), '+', h('kbd', {}, 'Enter'), ' new line · ', h('kbd', {}, 'Esc'), ' cancel'],
      multiline: true,
      empty: null,
      read: (text) => text.trim() || null,
      write: (note) => note ?? '',
      chip: (note) => ['Note kept for your next vote: ', h('q', {}, note)],
      keptToast: () => 'Note kept: it is saved with your next vote',
    }),
    tags: keptForNextVote({
      name: 'tags',
      label: 'Tags, separated by commas',
      box: h('input', { id: 'tags', name: 'tags', type: 'text', autocomplete: 'off', 'aria-describedby': 'tags-hint', placeholder: 'qualitative, peer navigators' }),
      hint: [h('kbd', {}, 'Enter'), ' keeps them for your next vote · ', h('kbd', {}, 'Esc'), ' cancel'],
      multiline: false,
      empty: [],
      read: tidyTags,
      write: (tags) => tags.join(', '),
      chip: (tags) => ['Tags kept for your next vote: ', tags.map((t, i) => [i ? ', ' : '', h('q', {}, t)])],
      keptToast: (tags) => `Tag${tags.length === 1 ? '' : 's'} kept: saved with your next vote`,
    }),
  };
  const search = decisionSearch();
  const reasonPanel = h('div', { class: 'reason-panel', id: 'reason-panel', hidden: true, role: 'group', 'aria-labelledby': 'reason-title' });

  const btn = (id, keyName, label, run, cls) => h('button', { type: 'button', id, class: cls, onclick: run }, h('kbd', {}, keyName), ` ${label}`);
  const includeBtn = btn('vote-include', 'I', 'Include', () => vote('include'), 'vote inc');
  const excludeBtn = btn('vote-exclude', 'E', 'Exclude', () => startExclude(), 'vote exc');
  const maybeBtn = btn('vote-maybe', 'M', 'Maybe', () => vote('maybe'), 'vote');
  const noteBtn = btn('note-open', 'N', 'Note', () => kept.note.open());
  const tagsBtn = btn('tags-open', 'T', 'Tags', () => kept.tags.open());
  const undoBtn = btn('undo', 'U', 'Undo', () => undo());
  const olderBtn = btn('older', 'K', 'Previous', () => older());
  const newerBtn = btn('newer', 'J', 'Next', () => newer());
  const searchBtn = btn('search-open', '/', 'Search', () => search.open());
  const helpBtn = h('button', { type: 'button', id: 'criteria-open', onclick: () => showHelp() }, h('kbd', {}, '?'), ' Criteria');
  const voteBar = h('div', { class: 'vote-buttons', role: 'group', 'aria-label': 'Decide this record' }, includeBtn, excludeBtn, maybeBtn, noteBtn, tagsBtn, undoBtn);
  const moveBar = h('div', { class: 'move-buttons', role: 'group', 'aria-label': 'Move through my decisions' }, olderBtn, newerBtn, searchBtn, helpBtn);
  const bar = h('div', { class: 'screen-bar', id: 'screen-bar' },
    reasonPanel, kept.note.panel, kept.tags.panel, search.panel,
    h('div', { class: 'bar-row' }, voteBar, moveBar),
    h('div', { class: 'bar-row small' },
      h('nav', { class: 'stage-switch', 'aria-label': 'Stage' }, Object.entries(STAGES).map(([k, v], i) => [i ? ' · ' : '',
        k === stage ? h('strong', { 'aria-current': 'page' }, v.name) : h('a', { href: `/reviews/${encodeURIComponent(slug)}/screen/${k}` }, v.name)])),
      kept.note.chip, kept.tags.chip, saveState));

  const current = () => found ?? (histPos >= 0 ? history[histPos] : buffer[0]) ?? null;
  /** A decision of mine is on screen (from history or a search), not the queue's next record. */
  const lookingBack = () => found !== null || histPos >= 0;

  function fileView(item) {
    if (!item.file) return null;
    const link = h('a', { href: item.file.url, target: '_blank', rel: 'noopener', id: 'pdf-link' }, 'Open the PDF in a new tab');
    return h('section', { class: 'pdf', 'aria-label': 'Full text' },
      h('object', { data: item.file.url, type: 'application/pdf', id: 'pdf', 'aria-label': 'The full text (PDF)' },
        h('p', {}, 'This browser does not show PDFs inside the page. ', link.cloneNode(true))),
      h('p', { class: 'muted small' }, link));
  }

  function uploadView(item) {
    const input = h('input', { type: 'file', id: 'pdf-file', name: 'file', accept: 'application/pdf,.pdf' });
    const chosen = h('p', { class: 'chosen', id: 'pdf-chosen', 'aria-live': 'polite' });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true, id: 'pdf-error' });
    const reason = h('input', { type: 'text', name: 'reason', id: 'nr-reason', placeholder: 'e.g. Authors did not reply; not held by any library' });
    const upload = async (file) => {
      if (!file) return;
      chosen.textContent = `Uploading ${file.name}…`;
      error.hidden = true;
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        const updated = await api('POST', `${base}/items/${item.id}/file`, form);
        Object.assign(item, updated);
        nodes.delete(item);
        toast(`${file.name} attached: the report is open for screening`);
        show();
        refreshProgress();
      } catch (err) {
        chosen.textContent = '';
        error.textContent = err.detail;
        error.hidden = false;
      }
    };
    input.addEventListener('change', () => upload(input.files?.[0]));
    const zone = h('div', { class: 'dropzone', id: 'pdf-drop' },
      h('label', { for: 'pdf-file' }, h('strong', {}, 'Attach the full text'), ' — drop a PDF here, or choose it:'),
      input, chosen, error);
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      upload(e.dataTransfer?.files?.[0]);
    });
    const nrError = h('p', { class: 'field-error', id: 'nr-reason-error', hidden: true });
    const nrForm = h('form', { class: 'not-retrieved', id: 'not-retrieved', novalidate: true },
      h('label', { for: 'nr-reason' }, h('strong', {}, 'Cannot get it?'), ' Record it as not retrievable, with the reason:'),
      h('div', { class: 'actions' }, reason, h('button', { type: 'submit' }, 'Not retrievable')),
      nrError);
    nrForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      nrError.hidden = true;
      try {
        await post(`${base}/items/${item.id}/not-retrieved`, { reason: reason.value });
        toast('Recorded as not retrievable');
        buffer = buffer.filter((b) => b !== item);
        show();
      } catch (err) {
        nrError.textContent = err.detail;
        nrError.hidden = false;
        reason.focus();
      }
    });
    return h('section', { class: 'awaiting card', id: 'awaiting' },
      h('p', {}, 'This report is waiting for its full text: attach the PDF to screen it.'), zone, nrForm);
  }

  function mineLine(item) {
    const v = item.my_vote;
    if (!v) return null;
    return h('p', { class: `my-vote ${v.vote}`, id: 'my-vote' },
      h('span', { class: 'letter', 'aria-hidden': 'true' }, v.vote === 'include' ? '✓' : v.vote === 'exclude' ? '✗' : '?'),
      ` Your vote: ${voteText(v)}`, v.note ? ` · Note: ${v.note}` : '', v.tags?.length ? ` · Tags: ${v.tags.join(', ')}` : '',
      DECIDED.has(item.state) ? ` · Decided: ${item.state.replace('_', ' ')}` : '');
  }

  function build(item) {
    const rec = recordView(item, hl, { extra: mineLine(item) });
    if (!fullText) return rec;
    // The PDF (or, while it is missing, the way to attach it) sits beside the record, in view.
    if (item.state === 'awaiting_file') return h('div', { class: 'ft with-pdf' }, rec, uploadView(item));
    return h('div', { class: 'ft with-pdf' }, rec, fileView(item));
  }

  function nodeFor(item) {
    let n = nodes.get(item);
    if (!n) {
      n = build(item);
      nodes.set(item, n);
    }
    return n;
  }

  let emptyTimer = null;
  let displayed = null;
  function show() {
    if (!alive()) return;
    const item = current();
    displayed = item;
    clearTimeout(emptyTimer);
    if (!item) {
      const settled = loaded && !refilling && !pendingMine();
      if (settled) {
        fill(slot, h('section', { class: 'nothing', id: 'nothing-left' },
          h('h1', { tabindex: '-1' }, 'Nothing left for you at this stage'),
          h('p', { class: 'lede' }, mine
            ? `You have judged ${num(mine)} record${mine === 1 ? '' : 's'} at ${stageInfo.lower}. Records still waiting are reserved for, or already judged by, enough reviewers.`
            : `There are no records for you to judge at ${stageInfo.lower} now.`),
          fullText ? h('p', {}, 'Reports appear here once their full text is attached. A report waiting for its PDF can be opened by its number:') : null,
          fullText ? openByNumber() : null,
          h('p', { class: 'actions' },
            history.length ? h('button', { type: 'button', onclick: older }, h('kbd', {}, 'K'), ' Look back at my votes') : null,
            h('a', { class: 'button', href: `/reviews/${encodeURIComponent(slug)}` }, 'Back to the dashboard')),
        ));
      } else {
        emptyTimer = setTimeout(() => {
          if (!current()) fill(slot, h('p', { class: 'loading', role: 'status', id: 'waiting' }, outbox.some((o) => o.status === 'failed') ? 'Waiting for your votes to be saved before the next record…' : 'Loading the next record…'));
        }, 150);
      }
    } else {
      slot.replaceChildren(nodeFor(item));
      // A new record starts at its title, wherever the last one was scrolled to.
      if (slot.dataset.item !== String(item.id) && window.scrollY > 0) window.scrollTo(0, 0);
      slot.dataset.item = String(item.id);
    }
    drawWhere();
    drawButtons();
    drawAhead();
    document.dispatchEvent(new CustomEvent('sift:record', { detail: { id: item?.id ?? null } }));
    // Build the next record now, while the person reads this one.
    const after = lookingBack() ? null : buffer[1];
    if (after) setTimeout(() => nodeFor(after), 0);
  }

  function openByNumber() {
    const input = h('input', { type: 'text', inputmode: 'numeric', id: 'item-number', name: 'item', placeholder: 'e.g. 31' });
    const form = h('form', { class: 'actions', id: 'open-item' }, h('label', { for: 'item-number', class: 'visually-hidden' }, 'Report number'), input, h('button', { type: 'submit' }, 'Open'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const n = Number.parseInt(input.value, 10);
      if (Number.isFinite(n)) navigate(`/reviews/${encodeURIComponent(slug)}/screen/${stage}?item=${n}`);
    });
    return form;
  }

  /** How many records wait behind this one, already loaded (for people: nothing; for tests: data-ahead). */
  function drawAhead() {
    const screen = document.getElementById('screen');
    if (screen) screen.dataset.ahead = String(Math.max(0, buffer.length - 1));
  }

  function drawWhere() {
    if (found) {
      where.hidden = false;
      where.textContent = `Found by searching my decisions: record ${found.id} · J back to ${histPos >= 0 ? 'where I was' : 'the queue'} · a vote here changes it`;
    } else if (histPos >= 0) {
      where.hidden = false;
      where.textContent = `Looking back: your vote ${num(histPos + 1)} of ${num(history.length)} from the most recent · J newer · K older · a vote here changes it`;
    } else {
      where.hidden = true;
      where.textContent = '';
    }
  }

  function drawButtons() {
    const item = current();
    const canVote = Boolean(item) && !(lookingBack() && DECIDED.has(item.state)) && item.state !== 'awaiting_file';
    for (const b of [includeBtn, excludeBtn, maybeBtn]) b.disabled = !canVote;
    undoBtn.disabled = !history.length;
    olderBtn.disabled = found !== null || histPos >= history.length - 1;
    newerBtn.disabled = !lookingBack();
  }

  function drawSave(settled = false) {
    if (!alive()) return;
    const mineOps = outbox.filter((o) => o.stage === stage && o.user === me);
    saveState.dataset.pending = String(mineOps.length);
    const failed = mineOps.find((o) => o.status === 'failed');
    saveState.classList.toggle('problem', Boolean(failed));
    if (failed) {
      const secs = Math.max(0, Math.round((failed.retryAt - Date.now()) / 1000));
      fill(saveState, h('strong', {}, `${mineOps.length === 1 ? 'A vote is' : `${num(mineOps.length)} votes are`} not saved — retrying${secs ? ` in ${secs} s` : ''}. `),
        failed.error, ' Your votes are kept here until they are saved. ',
        h('button', { type: 'button', class: 'link', id: 'retry-now', onclick: () => wake?.() }, 'Retry now'));
    } else if (mineOps.length) {
      saveState.textContent = 'Saving…';
    } else {
      saveState.textContent = mine ? 'All votes saved' : '';
    }
    if (settled) afterSettled();
  }

  let tick = null;
  onOutbox = (settled) => {
    drawSave(settled);
    clearInterval(tick);
    if (outbox.some((o) => o.status === 'failed')) tick = setInterval(() => drawSave(), 1000);
  };

  async function afterSettled() {
    if (!alive()) return;
    await refill();
    await refreshProgress();
  }

  async function refreshProgress() {
    try {
      const p = await get(`${base}/stages/${stage}/progress`);
      if (!alive() || pendingMine()) return;
      mine = p.my_votes;
      remaining = p.my_remaining;
      conflicts = p.states?.conflict ?? null;
      drawStatus();
    } catch {
      // The numbers catch up at the next vote.
    }
  }

  async function refill() {
    if (refilling || !alive()) return;
    refilling = true;
    const wasEmpty = !buffer.length;
    let items = [];
    try {
      items = await post(`${base}/stages/${stage}/next?count=${askFor()}`, {}, { quiet: true });
      loaded = true;
    } catch (err) {
      if (!buffer.length) toast(err.detail, { problem: true });
    } finally {
      refilling = false;
    }
    take(items, wasEmpty);
  }

  /** How many records to ask for: records with my vote still on its way stay reserved for me and come back first, so ask for more. */
  function askFor() {
    const inFlight = outbox.filter((o) => o.user === me && o.kind === 'vote' && o.stage === stage).length;
    return Math.min(5, AHEAD + inFlight);
  }

  /** Queues the records the server reserved for me that I do not have yet, and shows one if none is showing. */
  function take(items, wasEmpty = false) {
    const known = new Set(buffer.map((b) => b.id));
    for (const it of items) {
      if (!voted.has(it.id) && !known.has(it.id)) buffer.push(it);
    }
    drawAhead();
    if (alive() && (wasEmpty || !current() || current() !== displayed)) show();
    else if (alive() && !lookingBack() && buffer[1]) setTimeout(() => nodeFor(buffer[1]), 0);
  }

  function send(op) {
    outbox.push({ stage, status: 'queued', user: me, ...op });
    persist();
    onOutbox();
    pump();
  }

  /** What the search of my decisions needs of a record whose vote is not saved yet (kept with the vote, so it survives a reload). */
  function shownOf(item, myVote) {
    const r = item.record ?? {};
    return { id: item.id, record: { title: r.title, authors: r.authors, journal: r.journal, year: r.year, doi: r.doi }, my_vote: myVote };
  }

  function vote(kind, reason = null) {
    const item = current();
    if (!item || item.state === 'awaiting_file') return;
    if (lookingBack() && DECIDED.has(item.state)) {
      toast('This record is decided already, so your vote on it cannot change.', { problem: true });
      return;
    }
    const note = kept.note.take();
    const tags = kept.tags.take();
    const body = { vote: kind, reason: reason ?? undefined, note: note ?? undefined, tags };
    const myVote = { vote: kind, reason, note, tags };
    const id = item.id;
    const said = `${VOTED[kind]}${reason ? `: ${reason}` : ''}`;
    if (lookingBack()) {
      // Changing an earlier vote: keep my place in history (or on the record the search found).
      item.my_vote = myVote;
      nodes.delete(item);
      send({ kind: 'vote', id, method: 'PUT', path: `${base}/items/${id}/vote`, body, shown: shownOf(item, myVote), done: (res) => { serverHas.add(id); Object.assign(item, res); nodes.delete(item); if (current() === item) show(); noticeAmendment(res.my_vote); }, failed: (err) => toast(err.detail, { problem: true }) });
      toast(`Changed to ${said}`);
      show();
      return;
    }
    buffer.shift();
    voted.add(id);
    const done = { ...item, my_vote: myVote };
    history.unshift(done);
    mine += 1;
    remaining = Math.max(0, remaining - 1);
    drawStatus();
    show();
    toast(`${said} · U to undo`);
    // The vote brings the next records back with it (one round trip per record).
    send({
      kind: 'vote', id, method: 'POST', path: `${base}/items/${id}/vote-and-next?count=${askFor()}`, body, shown: shownOf(item, myVote),
      done: (res) => {
        serverHas.add(id);
        Object.assign(done, res.item);
        nodes.delete(done);
        noticeAmendment(res.item?.my_vote);
        const wasEmpty = !buffer.length;
        if (alive()) take(res.next, wasEmpty);
        // Keep the queue topped up while votes are still going out.
        if (buffer.length < AHEAD) refill();
      },
      failed: (err) => {
        // Refused for good (e.g. decided meanwhile): say so, and take it out of my history.
        voted.delete(id);
        history = history.filter((x) => x !== done);
        mine = Math.max(0, mine - 1);
        drawStatus();
        toast(`Not saved: ${err.detail}`, { problem: true });
        if (alive()) show();
      },
    });
  }

  function startExclude() {
    const item = current();
    if (!item || excludeBtn.disabled) return;
    if (!reasons.length) {
      if (fullText) {
        toast('An exclusion at full text needs a reason, and the protocol has none yet: a lead can add them in Settings.', { problem: true });
        return;
      }
      vote('exclude');
      return;
    }
    mode = 'reason';
    fill(reasonPanel,
      h('p', { id: 'reason-title' }, h('strong', {}, 'Exclude — why? '), h('span', { class: 'muted' }, fullText
        ? 'Press a number (a reason is needed at full text), or Esc to cancel.'
        : 'Press a number, Enter to exclude without a reason, or Esc to cancel.')),
      h('ol', { class: 'reason-list' }, reasons.slice(0, 9).map((r, i) => h('li', {},
        h('button', { type: 'button', class: 'reason', dataset: { reason: i + 1 }, onclick: () => pickReason(i + 1) }, h('kbd', {}, String(i + 1)), ` ${r}`)))),
      h('p', { class: 'actions' },
        fullText ? null : h('button', { type: 'button', id: 'reason-skip', onclick: () => pickReason(0) }, h('kbd', {}, 'Enter'), ' No reason'),
        h('button', { type: 'button', onclick: cancelReason }, h('kbd', {}, 'Esc'), ' Cancel')),
    );
    reasonPanel.hidden = false;
  }

  function pickReason(n) {
    if (mode !== 'reason') return;
    if (n === 0 && fullText) {
      toast('At full text an exclusion needs a reason: press its number.', { problem: true });
      return;
    }
    if (n > reasons.length) return;
    cancelReason();
    vote('exclude', n ? reasons[n - 1] : null);
  }

  function cancelReason() {
    mode = 'normal';
    reasonPanel.hidden = true;
    reasonPanel.replaceChildren();
  }

  // A box (a panel over the record) whose value is kept for the next vote, and a chip under the
  // record that shows it with a Remove button. Enter keeps (Shift+Enter is a new line when
  // `multiline`), Esc cancels; `read` turns the box's text into the value, `write` the value into
  // text, `chip` the value into what the chip says.
  function keptForNextVote({ name, label, box, hint, multiline, empty, read, write, chip: chipText, keptToast }) {
    const chip = h('p', { class: 'note-chip', id: `${name}-chip`, hidden: true });
    const panel = h('div', { class: 'note-panel', id: `${name}-panel`, hidden: true },
      h('label', { for: name }, label), box, h('p', { class: 'hint', id: `${name}-hint` }, ...hint));
    let value = empty;
    const isEmpty = (v) => (Array.isArray(v) ? !v.length : !v);
    const k = {
      name,
      chip,
      panel,
      draw() {
        chip.hidden = isEmpty(value);
        if (!chip.hidden) {
          fill(chip, ...chipText(value), ' ', h('button', { type: 'button', class: 'link', onclick: () => { value = empty; k.draw(); } }, 'Remove'));
        }
      },
      open() {
        if (mode === 'reason') cancelReason();
        if (mode === 'search') search.close();
        if (kept[mode] && mode !== name) kept[mode].close(false);
        mode = name;
        box.value = write(value);
        panel.hidden = false;
        box.focus();
      },
      close(keep) {
        if (keep) value = read(box.value);
        box.value = '';
        mode = 'normal';
        panel.hidden = true;
        box.blur();
        k.draw();
        if (keep && !isEmpty(value)) toast(keptToast(value));
      },
      // The value, for the vote being cast; nothing is kept after it.
      take() {
        const v = value;
        value = empty;
        k.draw();
        return v;
      },
    };
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !(multiline && e.shiftKey) && !e.isComposing) {
        e.preventDefault();
        k.close(true);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        k.close(false);
      }
    });
    return k;
  }

  // The same tidying as the server's: trimmed, spaces made one, blanks and repeats (ignoring case) dropped.
  function tidyTags(text) {
    const out = [];
    for (const raw of text.split(',')) {
      const t = raw.split(/\s+/).filter(Boolean).join(' ');
      if (t && !out.some((o) => o.toLowerCase() === t.toLowerCase())) out.push(t);
    }
    return out;
  }

  function undo() {
    const last = history[0];
    if (!last) {
      toast('Nothing to undo yet.', { problem: true });
      return;
    }
    if (DECIDED.has(last.state)) {
      toast('Your last vote cannot be undone: that record is decided already.', { problem: true });
      return;
    }
    if (mode === 'reason') cancelReason();
    history.shift();
    found = null;
    const id = last.id;
    voted.delete(id);
    // A vote not sent yet is simply taken back; one sent (or being sent) is deleted on the server.
    const sending = outbox.some((o) => o.id === id && o.status === 'sending');
    for (let i = outbox.length - 1; i >= 0; i -= 1) {
      if (outbox[i].id === id && outbox[i].status !== 'sending' && outbox[i].kind === 'vote' && outbox[i].user === me) outbox.splice(i, 1);
    }
    persist();
    const back = { ...last, my_vote: null };
    if (serverHas.has(id) || sending) {
      send({
        kind: 'undo', id, method: 'DELETE', path: `${base}/items/${id}/vote`,
        done: () => serverHas.delete(id),
        failed: (err) => {
          toast(`Not undone: ${err.detail}`, { problem: true });
          buffer = buffer.filter((b) => b !== back);
          if (alive()) show();
        },
      });
    } else {
      onOutbox();
    }
    histPos = -1;
    buffer.unshift(back);
    buffer = buffer.filter((b, i) => i === 0 || b.id !== id);
    mine = Math.max(0, mine - 1);
    remaining += 1;
    drawStatus();
    show();
    toast(`Vote undone (${voteText(last.my_vote)}): the record is back`);
  }

  function older() {
    if (found || histPos >= history.length - 1) return;
    if (mode === 'reason') cancelReason();
    histPos += 1;
    show();
  }

  function newer() {
    if (!lookingBack()) return;
    if (mode === 'reason') cancelReason();
    if (found) found = null;
    else histPos -= 1;
    show();
  }

  /** Shows one of my decisions that a search found: at its place in my history when it is there. */
  function openFound(item) {
    if (mode === 'reason') cancelReason();
    const at = history.findIndex((x) => x.id === item.id);
    if (at >= 0) {
      found = null;
      histPos = at;
    } else {
      found = item;
    }
    show();
  }

  // `/` opens a search of my decisions at this stage: words from the title, authors, journal, year,
  // DOI or number, or from my vote, reason, note or tags. Arrow keys move through what it finds,
  // Enter opens one, Esc closes.
  function decisionSearch() {
    const SHOWN = 10;
    const box = h('input', {
      id: 'my-search', name: 'q', type: 'search', autocomplete: 'off', role: 'combobox',
      'aria-expanded': 'false', 'aria-controls': 'my-search-results', 'aria-autocomplete': 'list', 'aria-describedby': 'my-search-hint',
      placeholder: 'e.g. navigators 2019, wrong setting, a tag',
    });
    const results = h('ul', { id: 'my-search-results', class: 'search-results', role: 'listbox', 'aria-label': 'My decisions found' });
    const said = h('p', { class: 'hint', id: 'my-search-said', role: 'status' });
    const panel = h('div', { class: 'note-panel search-panel', id: 'search-panel', hidden: true },
      h('label', { for: 'my-search' }, `Search my ${stageInfo.lower} decisions`), box, said, results,
      h('p', { class: 'hint', id: 'my-search-hint' }, h('kbd', {}, '↑'), ' ', h('kbd', {}, '↓'), ' choose · ', h('kbd', {}, 'Enter'), ' open · ', h('kbd', {}, 'Esc'), ' close'));
    let items = [];
    let active = -1;
    let asked = 0;
    let timer = null;
    const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
    const drawActive = () => {
      [...results.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
      if (active >= 0) box.setAttribute('aria-activedescendant', `my-search-${items[active].id}`);
      else box.removeAttribute('aria-activedescendant');
    };
    const draw = (more) => {
      fill(results, items.map((it, i) => h('li', {
        id: `my-search-${it.id}`, role: 'option', 'aria-selected': 'false', dataset: { item: it.id },
        onmousedown: (e) => e.preventDefault(),
        onclick: () => choose(i),
      }, h('span', { class: 'found-title' }, it.record?.title || '(no title)'),
      h('span', { class: 'muted' }, ` · ${[it.record?.year, `record ${it.id}`].filter(Boolean).join(' · ')} · `),
      h('strong', { class: `found-vote ${it.my_vote?.vote ?? ''}` }, voteText(it.my_vote)),
      unsaved.has(it.id) ? h('span', { class: 'muted found-unsaved' }, ' · not saved yet') : null,
      it.my_vote?.note ? h('span', { class: 'muted' }, ' · ', h('q', {}, clip(it.my_vote.note, 90))) : null,
      it.my_vote?.tags?.length ? h('span', { class: 'muted' }, ` · ${it.my_vote.tags.join(', ')}`) : null)));
      box.setAttribute('aria-expanded', String(items.length > 0));
      said.textContent = !box.value.trim() ? 'Type words to find records you have judged.'
        : unreached ? `${items.length ? `${num(items.length)} of my votes not saved yet ${items.length === 1 ? 'matches' : 'match'}` : 'None of my votes not saved yet match'}; the rest of my decisions could not be searched (${unreached}).`
          : items.length ? `${more ? `The first ${num(items.length)}` : num(items.length)} of my decisions match${more ? ': type more to narrow' : ''}.`
            : 'None of my decisions match.';
      active = items.length ? 0 : -1;
      drawActive();
    };
    // Votes still in the outbox are not on the server yet: they are searched here, shown as this page
    // has them (newest first, before the server's), and stand in for what the server still holds.
    let unsaved = new Set();
    let unreached = '';
    const pendingMatches = (text) => {
      // The latest unsaved vote per record, newest first: the record as this page holds it, else as
      // kept with the vote (after a reload).
      const ops = outbox.filter((o) => o.kind === 'vote' && o.stage === stage && o.user === me).reverse();
      const ids = new Set(ops.map((o) => o.id));
      const held = [...history, ...(found ? [found] : [])];
      const mine = [...ids].map((id) => held.find((it) => it.id === id) ?? ops.find((o) => o.id === id).shown).filter(Boolean);
      // What the server has of these records is older than what is here.
      return { judged: new Set(mine.map((it) => it.id)), hits: mine.filter((it) => decisionMatches(it, text)) };
    };
    const ask = async () => {
      const text = box.value.trim();
      const n = ++asked;
      if (!text) {
        items = [];
        draw(false);
        return;
      }
      try {
        const got = await get(`${base}/stages/${stage}/my-votes?limit=${SHOWN + 1}&q=${encodeURIComponent(text)}`);
        if (n !== asked || !alive()) return;
        const { judged, hits } = pendingMatches(text);
        unsaved = new Set(hits.map((it) => it.id));
        unreached = '';
        const all = [...hits, ...got.filter((it) => !judged.has(it.id))];
        items = all.slice(0, SHOWN);
        draw(all.length > SHOWN);
      } catch (err) {
        if (n !== asked || !alive()) return;
        const { hits } = pendingMatches(text);
        if (!hits.length && !outbox.some((o) => o.user === me)) {
          said.textContent = err.detail ?? 'The search failed; try again.';
          return;
        }
        unsaved = new Set(hits.map((it) => it.id));
        unreached = err.status ? 'the server refused' : 'no connection';
        items = hits.slice(0, SHOWN);
        draw(hits.length > SHOWN);
      }
    };
    const choose = (i) => {
      const it = items[i];
      if (!it) return;
      s.close();
      openFound(it);
    };
    box.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    box.addEventListener('keydown', (e) => {
      if (e.isComposing) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (!items.length) return;
        active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
        drawActive();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(timer);
        if (active >= 0) choose(active);
        else ask();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        s.close();
      }
    });
    const s = {
      panel,
      open() {
        if (mode === 'reason') cancelReason();
        if (kept[mode]) kept[mode].close(false);
        mode = 'search';
        panel.hidden = false;
        box.focus();
        box.select();
        if (!box.value.trim()) draw(false);
      },
      close() {
        clearTimeout(timer);
        if (mode === 'search') mode = 'normal';
        panel.hidden = true;
        box.blur();
      },
    };
    return s;
  }

  const inReason = () => mode === 'reason';
  const notReason = () => mode !== 'reason';
  setKeys([
    { key: 'i', label: 'Include', when: notReason, run: () => vote('include') },
    { key: 'e', label: fullText ? 'Exclude, then a number for the reason' : 'Exclude, then a number for the reason (Enter: no reason)', when: notReason, run: startExclude },
    ...Array.from({ length: 9 }, (_, i) => ({ key: String(i + 1), hidden: true, when: inReason, run: () => pickReason(i + 1) })),
    { key: 'Enter', hidden: true, when: inReason, run: () => pickReason(0) },
    { key: 'Escape', show: 'Esc', label: 'Cancel the reason', hidden: true, when: inReason, run: cancelReason },
    { key: 'm', label: 'Maybe', when: notReason, run: () => vote('maybe') },
    { key: 'n', label: 'Write a note (Enter keeps it for the next vote, Esc cancels)', run: () => kept.note.open() },
    { key: 't', label: 'Tag this record (commas between tags; Enter keeps them for the next vote)', run: () => kept.tags.open() },
    { key: 'u', label: 'Undo my last vote', run: undo },
    { key: 'k', label: 'Previous: back through my votes', repeat: true, run: older },
    { key: 'j', label: 'Next: forward through my votes, back to the queue', repeat: true, run: newer },
    { key: '/', label: 'Search my decisions (Enter opens one, Esc closes)', run: () => search.open() },
  ]);
  setHelpExtra(() => criteriaView(protocol, stage));

  const awaiting = progress.states?.awaiting_file ?? 0;
  fill(main,
    h('div', { class: 'screen', id: 'screen', dataset: { stage } },
      h('h2', { class: 'visually-hidden' }, `${stageInfo.name} screening`),
      where,
      fullText && lead && awaiting ? h('p', { class: 'muted small' }, `${num(awaiting)} report${awaiting === 1 ? ' is' : 's are'} waiting for a PDF; open one by its number below when the queue is empty.`) : null,
      slot,
      bar,
    ),
  );
  main.classList.add('wide');
  drawStatus();
  kept.note.draw();
  kept.tags.draw();
  onOutbox(false);
  show();
  focusHeading(main);
  if (pendingMine()) pump();
  else if (buffer.length < 2) refill();
  return () => {
    main.classList.remove('wide');
    clearInterval(tick);
    onOutbox = () => {};
    if (pendingMine()) toast(`${pendingMine() === 1 ? 'A vote is' : `${pendingMine()} votes are`} still being sent in the background.`);
  };
}
