// pages/invite.js: owns the invitation page: a newcomer opens the link a lead sent, chooses a name and password, joins the review and is signed in.

import { get, post } from '../api.js';
import { clearErrors, field, h, showErrors } from '../dom.js';
import { setHeader } from '../layout.js';
import { navigate } from '../router.js';

export async function render({ main, params, alive }) {
  setHeader({ page: 'Invitation' });
  const token = params.token;
  let inv;
  try {
    inv = await get(`/api/invitations/${encodeURIComponent(token)}`, { quiet: true });
  } catch (err) {
    if (!alive()) return;
    main.replaceChildren(
      h('h1', { tabindex: '-1' }, 'This invitation cannot be used'),
      h('p', { class: 'form-error', role: 'alert' }, err.detail ?? String(err)),
      h('p', {}, h('a', { href: '/signin' }, 'Sign in'), ' if you already have an account.'),
    );
    return;
  }
  if (!alive()) return;
  const name = h('input', { type: 'text', name: 'name', id: 'invite-name', autocomplete: 'name', required: true });
  const password = h('input', { type: 'password', name: 'password', id: 'invite-password', autocomplete: 'new-password', required: true, minlength: '10' });
  const again = h('input', { type: 'password', name: 'again', id: 'invite-again', autocomplete: 'new-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary', id: 'invite-accept' }, 'Join the review');
  const form = h('form', { class: 'stack card narrow', novalidate: true, 'aria-labelledby': 'invite-heading' },
    h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }),
    h('p', {}, `You are invited to join “${inv.review}” as a ${inv.role}, with the email ${inv.email}.`),
    field('Your name', name),
    field('Choose a password', password, { hint: 'At least 10 characters.' }),
    field('The password again', again),
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (password.value !== again.value) {
      showErrors(form, { detail: 'The two passwords differ; type them again.', errors: [{ field: 'again', message: 'differs from the password' }] });
      return;
    }
    button.disabled = true;
    try {
      await post(`/api/invitations/${encodeURIComponent(token)}/accept`, { name: name.value.trim(), password: password.value });
      await post('/api/auth/login', { email: inv.email, password: password.value });
      await navigate(`/reviews/${encodeURIComponent(inv.slug)}`, { replace: true });
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(h('h1', { id: 'invite-heading', tabindex: '-1' }, 'Join sift'), form);
  name.focus();
}
