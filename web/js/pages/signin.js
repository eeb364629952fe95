// pages/signin.js: owns the sign-in page (email and password, and the sentence when it fails).

import { post } from '../api.js';
import { clearErrors, field, h } from '../dom.js';
import { setHeader, setUser } from '../layout.js';
import { navigate } from '../router.js';

/** Only same-site paths are followed after signing in. */
function nextPath(query) {
  const next = query.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/';
}

export async function render({ main, query }) {
  setUser(null);
  setHeader({ page: 'Sign in' });
  const email = h('input', { type: 'email', name: 'email', id: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', id: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', id: 'signin-error', role: 'alert', tabindex: '-1', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const note = query.get('expired')
    ? 'Your session has ended. Sign in again to carry on where you were.'
    : query.get('out')
      ? 'You are signed out.'
      : null;

  const form = h('form', { novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to sift'),
    note ? h('p', { class: 'muted', role: 'status' }, note) : null,
    error,
    field('Email', email),
    field('Password', password),
    h('div', { class: 'actions' }, button),
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!email.value.trim() || !password.value) {
      error.textContent = 'Enter your email and your password.';
      error.hidden = false;
      (email.value.trim() ? password : email).focus();
      return;
    }
    button.disabled = true;
    try {
      const session = await post('/api/auth/login', { email: email.value.trim(), password: password.value });
      setUser(session.user);
      await navigate(nextPath(query), { replace: true });
    } catch (err) {
      error.textContent = err.detail;
      error.hidden = false;
      password.select();
      password.focus();
    } finally {
      button.disabled = false;
    }
  });

  main.replaceChildren(h('div', { class: 'card narrow' }, form));
  email.focus();
}
