// pages/notfound.js: owns the page shown for an address sift does not know.

import { h } from '../dom.js';
import { setHeader } from '../layout.js';
import { focusHeading } from '../router.js';

export async function render({ main }) {
  setHeader({ page: 'Not found' });
  main.replaceChildren(
    h('h1', {}, 'No page here'),
    h('p', {}, 'Check the address, or go back to ', h('a', { href: '/' }, 'your reviews'), '.'),
  );
  focusHeading(main);
}
