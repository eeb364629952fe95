// main.js: owns starting the app: the routes, what happens when the session ends, and the first render.

import { onSignedOut } from './api.js';
import { ensureUser, setUser } from './layout.js';
import { beforeAuthPages, navigate, render, route } from './router.js';
import * as signin from './pages/signin.js';
import * as reviews from './pages/reviews.js';
import * as dashboard from './pages/dashboard.js';
import * as importPage from './pages/import.js';
import * as duplicates from './pages/duplicates.js';
import * as records from './pages/records.js';
import * as members from './pages/members.js';

route('/signin', signin.render, { auth: false });
route('/', reviews.render);
route('/reviews/:slug', dashboard.render);
route('/reviews/:slug/import', importPage.render);
route('/reviews/:slug/duplicates', duplicates.render);
route('/reviews/:slug/records', records.render);
route('/reviews/:slug/members', members.render);

beforeAuthPages(ensureUser);

onSignedOut(() => {
  setUser(null);
  const next = location.pathname + location.search;
  if (location.pathname !== '/signin') navigate(`/signin?expired=1&next=${encodeURIComponent(next)}`);
});

render();
