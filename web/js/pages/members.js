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
  main.replaceChildren(...[
    h('h1', {}, 'Members'),
    slot,
    form ?? h('p', { class: 'muted' }, 'Only a lead can add members.'),
    isLead(review) ? inviteForm(base, async () => slot.replaceChildren(table(await get(`${base}/members`)))) : null,
  ].filter(Boolean));
  focusHeading(main);
}

/** The form that invites someone without an account: sift returns a one-time link to send them. */
function inviteForm(base, refresh) {
  const email = h('input', { type: 'email', name: 'invite-email', id: 'invite-email', autocomplete: 'off', spellcheck: 'false', required: true });
  const role = h('select', { name: 'role', id: 'invite-role' }, ROLES.map(([v, label]) => h('option', { value: v }, label)));
  const button = h('button', { type: 'submit', id: 'invite-submit' }, 'Create an invitation link');
  const result = h('div', { id: 'invite-result', role: 'status' });
  const form = h('form', { class: 'stack card', novalidate: true, 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title' }, 'Invite someone new'),
    h('p', { class: 'hint' }, 'For a colleague without a sift account: you get a link, valid for 14 days and usable once, to send them. They choose their name and password and join with the role you pick.'),
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'row' }, field('Email', email), field('Role', role)),
    h('div', { class: 'actions' }, button),
    result,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      const res = await post(`${base}/invitations`, { email: email.value.trim(), role: role.value });
      if (res.added) {
        result.replaceChildren(h('p', {}, `${res.email} already has an account and is now a ${res.role}.`));
        await refresh();
      } else {
        const link = `${location.origin}${res.url}`;
        const box = h('input', { type: 'text', id: 'invite-link', readonly: true, value: link, 'aria-label': 'Invitation link' });
        const copy = h('button', { type: 'button', id: 'invite-copy' }, 'Copy link');
        copy.addEventListener('click', async () => {
          box.select();
          try {
            await navigator.clipboard.writeText(link);
            toast('Link copied');
          } catch {
            toast('Select the link and copy it with your keyboard', { problem: true });
          }
        });
        result.replaceChildren(h('p', {}, `Send this link to ${res.email}; it works once, until ${new Date(res.expires_at).toLocaleDateString()}.`), h('div', { class: 'row' }, box, copy));
        box.focus();
        box.select();
      }
      email.value = '';
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
