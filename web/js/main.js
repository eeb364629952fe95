// main.js: owns starting the app: the routes, what happens when the session ends, and the first render.

import { onSignedOut } from './api.js';
import { h } from './dom.js';
import { ensureUser, setUser } from './layout.js';
import { beforeAuthPages, navigate, render, route } from './router.js';
import * as signin from './pages/signin.js';
import * as reviews from './pages/reviews.js';
import * as dashboard from './pages/dashboard.js';
import * as importPage from './pages/import.js';
import * as duplicates from './pages/duplicates.js';
import * as records from './pages/records.js';
import * as members from './pages/members.js';
import * as screen from './pages/screen.js';
import * as conflicts from './pages/conflicts.js';
import * as settings from './pages/settings.js';
import * as reports from './pages/reports.js';
import * as invite from './pages/invite.js';
import * as appraise from './pages/appraise.js';
import * as synthesis from './pages/synthesis.js';
import * as extraction from './pages/extraction.js';

route('/signin', signin.render, { auth: false });
route('/invite/:token', invite.render, { auth: false });
route('/', reviews.render);
route('/reviews/:slug', dashboard.render);
route('/reviews/:slug/import', importPage.render);
route('/reviews/:slug/duplicates', duplicates.render);
route('/reviews/:slug/records', records.render);
route('/reviews/:slug/members', members.render);
route('/reviews/:slug/screen', ({ params }) => navigate(`/reviews/${encodeURIComponent(params.slug)}/screen/title_abstract`, { replace: true }));
route('/reviews/:slug/screen/:stage', screen.render);
route('/reviews/:slug/conflicts', ({ params }) => navigate(`/reviews/${encodeURIComponent(params.slug)}/conflicts/title_abstract`, { replace: true }));
route('/reviews/:slug/conflicts/:stage', conflicts.render);
route('/reviews/:slug/settings', settings.render);
route('/reviews/:slug/reports', reports.render);
route('/reviews/:slug/appraise', appraise.render);
route('/reviews/:slug/appraise/:item', appraise.render);
route('/reviews/:slug/synthesis', synthesis.render);
route('/reviews/:slug/synthesis/:item', synthesis.render);
route('/reviews/:slug/extract', extraction.render);
route('/reviews/:slug/extract/:item', extraction.render);

beforeAuthPages(ensureUser);

/** True when the page holds something the person typed that leaving would lose. */
function typedSomething() {
  return [...document.querySelectorAll('main input, main textarea')].some(
    (el) => (el.type === 'file' ? el.files?.length : el.type !== 'hidden' && el.value.trim() !== ''),
  );
}

onSignedOut(() => {
  const next = location.pathname + location.search;
  if (location.pathname === '/signin') return;
  if (typedSomething()) {
    // Keep the form: signing in again in another tab renews the cookies this tab uses too.
    const main = document.getElementById('main');
    if (!main.querySelector('#session-ended')) {
      main.prepend(h('p', { class: 'form-error', id: 'session-ended', role: 'alert' },
        'Your session has ended. ',
        h('a', { href: `/signin?next=${encodeURIComponent(next)}`, target: '_blank' }, 'Sign in again in a new tab'),
        ', then come back and send this again: what you typed is still here.'));
    }
    return;
  }
  setUser(null);
  navigate(`/signin?expired=1&next=${encodeURIComponent(next)}`);
});

render();
