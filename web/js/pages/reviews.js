// pages/reviews.js: owns "My reviews": the list of my reviews with my roles and their counts, and the form that creates a review.

import { get, post } from '../api.js';
import { clearErrors, field, h, num, showErrors, slowly } from '../dom.js';
import { setHeader } from '../layout.js';
import { focusHeading, navigate } from '../router.js';
import { toast } from '../toast.js';

function reviewItem(r) {
  const c = r.counts;
  return h('li', { class: 'card', dataset: { slug: r.slug } },
    h('h2', {}, h('a', { href: `/reviews/${encodeURIComponent(r.slug)}` }, r.title),
      r.archived ? h('span', { class: 'badge' }, 'archived') : null),
    h('p', { class: 'meta' }, `${r.slug} · my roles: `, r.roles.join(', ') || 'none'),
    h('ul', { class: 'counts', 'aria-label': 'Counts' },
      h('li', {}, h('strong', {}, num(c.records_imported)), ' records imported'),
      h('li', {}, h('strong', {}, num(c.duplicates_removed)), ' duplicates removed'),
      h('li', {}, h('strong', {}, num(c.records)), ' records after deduplication'),
      h('li', {}, h('strong', {}, num(c.duplicates_pending)), ' possible duplicates waiting'),
    ),
  );
}

function createForm() {
  const slug = h('input', { type: 'text', name: 'slug', autocomplete: 'off', spellcheck: 'false', required: true, pattern: '[a-z0-9-]{2,64}' });
  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: '500' });
  const question = h('textarea', { name: 'question', rows: '3' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Create review');
  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Start a review'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    field('Title', title, { hint: 'e.g. Experiences of peer workers: a qualitative evidence synthesis' }),
    field('Short name', slug, { hint: 'Used in addresses: 2 to 64 lower-case letters, digits and hyphens, e.g. peer-workers-qes.' }),
    field('Review question', question, { optional: true }),
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      const r = await post('/api/reviews', { slug: slug.value.trim(), title: title.value.trim(), question: question.value.trim() });
      toast(`Review “${r.title}” created. You are its lead.`);
      await navigate(`/reviews/${encodeURIComponent(r.slug)}`);
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function render({ main, alive }) {
  setHeader({ page: 'My reviews' });
  let reviews;
  try {
    reviews = await slowly(main, 'Loading your reviews…', get('/api/reviews'));
  } catch (err) {
    if (!alive()) return;
    main.replaceChildren(h('h1', {}, 'My reviews'), h('p', { class: 'form-error', role: 'alert' }, err.detail));
    return;
  }
  if (!alive()) return;
  main.replaceChildren(
    h('h1', {}, 'My reviews'),
    reviews.length
      ? h('ul', { class: 'review-list', id: 'reviews' }, reviews.map(reviewItem))
      : h('p', { class: 'lede' }, 'You are not a member of any review yet. Start one below, or ask a lead to add you to theirs.'),
    h('section', { class: 'card' }, createForm()),
  );
  focusHeading(main);
}
