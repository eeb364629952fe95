// api.js: owns talking to the sift API: fetch with the session cookies, the CSRF header, one refresh on 401, and problem+json errors.

/** An error from the API (or the network), carrying the problem's sentence for people. */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem?.detail || `The server answered ${status}. Try again in a moment.`;
    super(detail);
    this.status = status;
    this.code = problem?.code ?? 'unknown';
    this.detail = detail;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

let signedOut = () => {};
let refreshing = null;

/** Sets what happens when the session is over and cannot be refreshed (the app goes to sign-in). */
export function onSignedOut(fn) {
  signedOut = fn;
}

function cookie(name) {
  const pair = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : '';
}

function send(method, path, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = cookie('sift_csrf');
  return fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
}

/**
 * Exchanges the refresh cookie for fresh session cookies. Concurrent callers share one attempt,
 * because a refresh token used twice ends the session.
 */
export function refresh() {
  refreshing ??= send('POST', '/api/auth/refresh')
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * Calls the API and returns the parsed JSON (or null for 204). Throws an ApiError whose `detail`
 * can be shown as it is. A 401 is retried once after a refresh; if that fails, the app signs out.
 */
export async function api(method, path, body, { quiet = false } = {}) {
  let res = await attempt(method, path, body);
  if (res.status === 401 && !path.startsWith('/api/auth/')) {
    if (await refresh()) res = await attempt(method, path, body);
    if (res.status === 401) {
      if (!quiet) signedOut();
      throw await problem(res);
    }
  }
  if (res.status === 204) return null;
  if (!res.ok) throw await problem(res);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

async function attempt(method, path, body) {
  try {
    return await send(method, path, body);
  } catch {
    throw new ApiError(0, {
      code: 'network',
      detail: 'sift could not be reached. Check your connection and try again; nothing you typed has been lost.',
    });
  }
}

async function problem(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return new ApiError(res.status, body && typeof body === 'object' ? body : null);
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
