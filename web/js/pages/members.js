// pages/members.js: owns the Members page: who is in the review with which roles, and (for leads) adding someone by email.

import { get, post } from '../api.js';
import { clearErrors, field, h, showErrors } from '../dom.js';
import { focusHeading } from '../router.js';
import { toast } from '../toast.js';
import { isLead, loadReview, showProblem } from './common.js';

const ROLES = [
  ['reviewer', 'Reviewer: screens records'],
  ['lead', 'Lead: manages the review and clears conflicts'],
  ['viewer', 'Viewer: reads only'],
];

function table(members) {
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'members' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Roles'))),
      h('tbody', {}, members.map((m) => h('tr', {},
        h('th', { scope: 'row' }, m.name),
        h('td', {}, m.email),
        h('td', { class: 'roles' }, m.roles.map((r) => h('span', { class: 'badge' }, r))),
      ))),
    ));
}

export async function render({ main, params, alive }) {
  const slug = params.slug;
  const base = `/api/reviews/${encodeURIComponent(slug)}`;
  let review;
  let members;
  try {
    [review, members] = await Promise.all([loadReview(slug, 'Members'), get(`${base}/members`)]);
  } catch (err) {
    if (alive()) showProblem(main, 'The members could not be loaded', err);
    return;
  }
  if (!alive()) return;
  const slot = h('div', {}, table(members));
  let form = null;
  if (isLead(review)) {
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', spellcheck: 'false', required: true });
    const role = h('select', { name: 'role' }, ROLES.map(([v, label]) => h('option', { value: v }, label)));
    const button = h('button', { type: 'submit', class: 'primary' }, 'Add member');
    form = h('form', { class: 'stack card', novalidate: true, 'aria-labelledby': 'add-title' },
      h('h2', { id: 'add-title' }, 'Add a member'),
      h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
      h('div', { class: 'row' },
        field('Email', email, { hint: 'The person needs a sift account already.' }),
        field('Role', role)),
      h('div', { class: 'actions' }, button),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      button.disabled = true;
      try {
        const updated = await post(`${base}/members`, { email: email.value.trim(), role: role.value });
        slot.replaceChildren(table(updated));
        toast(`${email.value.trim()} added as ${role.value}`);
        email.value = '';
        email.focus();
      } catch (err) {
        showErrors(form, err);
      } finally {
        button.disabled = false;
      }
    });
  }
  main.replaceChildren(
    h('h1', {}, 'Members'),
    slot,
    form ?? h('p', { class: 'muted' }, 'Only a lead can add members.'),
  );
  focusHeading(main);
}
