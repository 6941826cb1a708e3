// Entry point: hash router, page frame and session handling. Hash routes
// (#/channels) keep every page at one URL, so the server's SPA fallback
// and path-prefix mounts need nothing special.
import { h, clear } from './dom.js';
import { t, locale, setLocale, languages } from './i18n.js';
import { api, setUnauthorizedHandler } from './api.js';
import { go } from './nav.js';
import { loginPage } from './pages/login.js';
import { channelsPage, channelFormPage } from './pages/channels.js';
import { groupsPage, groupFormPage } from './pages/groups.js';
import { apiKeysPage, apiKeyFormPage } from './pages/apikeys.js';
import { settingsPage } from './pages/settings.js';
import { dashboardPage } from './pages/dashboard.js';
import { pricesPage } from './pages/prices.js';
import { logsPage } from './pages/logs.js';
import { keyPage } from './pages/keyview.js';

const nav = [
  ['#/dashboard', 'nav.dashboard'],
  ['#/channels', 'nav.channels'],
  ['#/groups', 'nav.groups'],
  ['#/api-keys', 'nav.apikeys'],
  ['#/prices', 'nav.prices'],
  ['#/logs', 'nav.logs'],
  ['#/settings', 'nav.settings'],
];

// Routes: [pattern, page]; a page gets (main element, params, ctx).
const routes = [
  [/^\/dashboard$/, dashboardPage],
  [/^\/prices$/, pricesPage],
  [/^\/logs$/, logsPage],
  [/^\/channels$/, channelsPage],
  [/^\/channels\/new$/, p => channelFormPage(p, null)],
  [/^\/channels\/(.+)$/, (p, m) => channelFormPage(p, decodeURIComponent(m[1]))],
  [/^\/groups$/, groupsPage],
  [/^\/groups\/new$/, p => groupFormPage(p, null)],
  [/^\/groups\/(.+)$/, (p, m) => groupFormPage(p, decodeURIComponent(m[1]))],
  [/^\/api-keys$/, apiKeysPage],
  [/^\/api-keys\/new$/, p => apiKeyFormPage(p, null)],
  [/^\/api-keys\/(.+)$/, (p, m) => apiKeyFormPage(p, decodeURIComponent(m[1]))],
  [/^\/settings$/, settingsPage],
];

const root = document.getElementById('app');
let me = null; // the signed-in user, null when unknown
let renderSeq = 0;


function path() { return (location.hash.replace(/^#/, '') || '/').split('?')[0]; }

// toLogin remembers where the user was so a new login returns there.
function toLogin() {
  me = null;
  // Dialogs live on <body>, outside the page: close them so login is usable.
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  const here = location.hash;
  if (path() === '/login') return;
  const next = here && here !== '#/' ? '?next=' + encodeURIComponent(here) : '';
  location.hash = '#/login' + next;
}
setUnauthorizedHandler(toLogin);

async function render() {
  const seq = ++renderSeq;
  const p = path();
  if (p === '/login') {
    clear(root, loginPage(async user => {
      me = user;
      const next = new URLSearchParams(location.hash.split('?')[1] || '').get('next');
      go(next && next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/dashboard');
    }));
    document.title = t('login.title') + ' · Octopus';
    return;
  }
  // The key view needs no admin session: it signs in with a client key.
  if (p === '/key') { keyPage(root); return; }
  if (!me) {
    try { me = await api('GET', 'auth/me'); } catch (err) {
      // A 401 has already gone to login; anything else is shown with a retry.
      if (err.status !== 401 && seq === renderSeq) {
        clear(root, h('div', { class: 'center' }, h('div', { class: 'card login' },
          h('p', { class: 'form-error', role: 'alert', text: err.message }),
          h('button', { class: 'btn primary', type: 'button', text: t('retry'), onclick: render }))));
      }
      return;
    }
    if (seq !== renderSeq) return;
  }
  if (p === '/') { location.replace('#/dashboard'); return; }
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(root, frame(), main);
  const hit = routes.find(([re]) => re.test(p));
  if (!hit) { main.append(h('h1', { text: t('notfound') })); return; }
  const item = nav.find(([href]) => p.startsWith(href.slice(1)));
  document.title = (item ? t(item[1]) : 'Octopus') + ' · Octopus';
  hit[1](main, p.match(hit[0]));
}

function frame() {
  const cur = path();
  const lang = h('select', { class: 'lang', 'aria-label': t('lang'), onchange: e => { setLocale(e.target.value); render(); } },
    languages.map(([v, name]) => h('option', { value: v, selected: v === locale() }, name)));
  const logout = h('button', { class: 'btn ghost', type: 'button', text: t('logout'), onclick: async () => {
    try { await api('POST', 'auth/logout'); } catch { /* session may be gone already */ }
    toLogin();
  } });
  return h('header', { class: 'top' },
    h('a', { class: 'brand', href: '#/dashboard' }, h('img', { src: 'logo.svg', alt: '', width: 24, height: 24 }), 'Octopus'),
    h('nav', { 'aria-label': t('nav.label') },
      nav.map(([href, key]) => h('a', { href, class: cur.startsWith(href.slice(1)) ? 'active' : null, 'aria-current': cur.startsWith(href.slice(1)) ? 'page' : null, text: t(key) }))),
    h('div', { class: 'tools' }, me ? h('span', { class: 'user', text: me.username }) : null, lang, logout));
}

window.addEventListener('hashchange', render);
render();
