// pages/common.js: owns what review pages share: loading the review for the header, and showing a page that could not load.

import { get } from '../api.js';
import { h } from '../dom.js';
import { setHeader } from '../layout.js';

/** Fetches the review (with my roles and its counts) and sets the header for `page`. */
export async function loadReview(slug, page, section = page) {
  setHeader({ page, slug, section });
  const review = await get(`/api/reviews/${encodeURIComponent(slug)}`);
  setHeader({ page, review, section });
  return review;
}

/** Replaces the page with the problem's sentence, keeping the header. */
export function showProblem(main, title, error) {
  main.replaceChildren(
    h('h1', { tabindex: '-1' }, title),
    h('p', { class: 'form-error', role: 'alert' }, error.detail ?? String(error)),
    h('p', {}, h('a', { href: '/' }, 'Back to your reviews')),
  );
}

export const isLead = (review) => review.roles.includes('lead');
