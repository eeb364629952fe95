// layout.js: owns the persistent header (sift · review title · page, the review's navigation, the account line) and the signed-in person.

import { api } from './api.js';
import { h } from './dom.js';
import { showHelp } from './keys.js';
import { navigate } from './router.js';
import { toast } from './toast.js';

let me = null;

/** The signed-in person, or null. */
export function currentUser() {
  return me;
}

export function setUser(user) {
  me = user;
}

/** Makes sure someone is signed in (asking the API once per page load); false sends them to sign-in. */
export async function ensureUser() {
  if (me) return true;
  try {
    me = await api('GET', '/api/me', undefined, { quiet: true });
    return true;
  } catch (e) {
    if (e.status === 401) {
      const next = location.pathname + location.search;
      navigate(next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`, { replace: true });
    } else {
      document.getElementById('main').replaceChildren(
        h('h1', {}, 'sift is not answering'),
        h('p', { class: 'form-error', role: 'alert' }, e.detail),
      );
    }
    return false;
  }
}

const PAGES = [
  ['', 'Dashboard'],
  ['/import', 'Import'],
  ['/duplicates', 'Duplicates'],
  ['/records', 'Records'],
  ['/screen/title_abstract', 'Screen'],
  ['/appraise', 'Appraise'],
  ['/extract', 'Extract'],
  ['/synthesis', 'Synthesis'],
  ['/conflicts/title_abstract', 'Conflicts', { lead: true }],
  ['/reports', 'Reports'],
  ['/members', 'Members'],
  ['/settings', 'Settings'],
];

/**
 * Sets the header for a page: `page` is its name; `review` (with `slug` and `title`) adds the
 * review's title and navigation. The document title follows the same order.
 */
export function setHeader({ page, review = null, slug = review?.slug, section = page }) {
  const crumbs = document.getElementById('crumbs');
  const parts = [h('a', { class: 'brand', href: '/' }, 'sift')];
  if (review || slug) {
    parts.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'));
    parts.push(h('a', { class: 'review-link', href: `/reviews/${encodeURIComponent(slug)}` }, review?.title ?? slug));
  }
  if (page) {
    parts.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'));
    parts.push(h('span', { class: 'page' }, page));
  }
  crumbs.replaceChildren(...parts);
  document.getElementById('status').replaceChildren();
  document.title = ['sift', review?.title, page].filter(Boolean).join(' · ');

  const nav = document.getElementById('review-nav');
  if (slug) {
    const base = `/reviews/${encodeURIComponent(slug)}`;
    nav.replaceChildren(
      ...PAGES.filter(([, , o]) => !o?.lead || !review || review.roles?.includes('lead')).map(([suffix, name]) =>
        h('a', { href: base + suffix, 'aria-current': name === section ? 'page' : null }, name),
      ),
    );
    nav.hidden = false;
  } else {
    nav.replaceChildren();
    nav.hidden = true;
  }

  const account = document.getElementById('account');
  if (me) {
    account.replaceChildren(
      h('button', { type: 'button', class: 'link keys-hint', id: 'shortcuts', onclick: showHelp }, h('kbd', {}, '?'), ' Shortcuts'),
      h('span', {}, me.email),
      h('button', { type: 'button', class: 'link', id: 'signout', onclick: signOut }, 'Sign out'),
    );
  } else {
    account.replaceChildren();
  }
}

/** Ends the session on the server and in this browser, then shows sign-in. */
export async function signOut() {
  try {
    await api('POST', '/api/auth/logout', undefined, { quiet: true });
  } catch (e) {
    if (e.status !== 401) {
      toast(e.detail, { problem: true });
      return;
    }
  }
  me = null;
  await navigate('/signin?out=1');
}
