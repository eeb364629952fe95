// router.js: owns client-side routing: matching addresses to pages, history, same-origin link clicks, and focus after a page change.

import { clearKeys } from './keys.js';

const routes = [];
let cleanup = null;
let generation = 0;

/** Registers a page for a path pattern such as `/reviews/:slug/import`. */
export function route(pattern, page, { auth = true } = {}) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  routes.push({ re: new RegExp(`^${source}/?$`), names, page, auth });
}

/** Goes to `path` without reloading the page. */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.scrollTo(0, 0);
  return render();
}

/** The current address as a path with its query, for coming back after signing in. */
export function here() {
  return location.pathname + location.search;
}

let guard = async () => true;

/** Sets the check run before pages that need a session (it returns false to stop the page). */
export function beforeAuthPages(fn) {
  guard = fn;
}

/** Renders the page for the current address. */
export async function render() {
  const url = new URL(location.href);
  const match = routes
    .map((r) => ({ r, m: url.pathname.match(r.re) }))
    .find((x) => x.m);
  const mine = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // A page's cleanup failing must not stop the next page.
    }
    cleanup = null;
  }
  clearKeys();
  const main = document.getElementById('main');
  if (!match) {
    const { render: notFound } = await import('./pages/notfound.js');
    await notFound({ main, params: {}, query: url.searchParams, alive: () => mine === generation });
    return;
  }
  if (match.r.auth && !(await guard())) return;
  if (mine !== generation) return;
  const params = {};
  match.r.names.forEach((n, i) => {
    params[n] = decodeURIComponent(match.m[i + 1]);
  });
  const ctx = { main, params, query: url.searchParams, alive: () => mine === generation };
  let result;
  try {
    result = await match.r.page(ctx);
  } catch (err) {
    // A bug in a page must not leave the previous page on screen as if nothing happened.
    console.error(err);
    if (mine === generation) {
      const h1 = document.createElement('h1');
      h1.textContent = 'This page could not be shown';
      const p = document.createElement('p');
      p.className = 'form-error';
      p.setAttribute('role', 'alert');
      p.textContent = `Something went wrong in sift's page (${err?.message ?? err}). Reload the page; if it happens again, tell the people who run sift.`;
      main.replaceChildren(h1, p);
    }
    return;
  }
  if (mine === generation && typeof result === 'function') cleanup = result;
}

/** Moves focus to the page's heading after a page change, so screen readers announce it. */
export function focusHeading(main) {
  const h1 = main.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  }
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', () => render());
