// Key view: the holder of a client API key sees that key's limits, spend
// and usage, read-only. The key is kept in sessionStorage (this tab only)
// and sent as a Bearer token to the two key routes; it opens nothing else.
import { h, clear, field, busy } from '../dom.js';
import { t, locale, setLocale, languages } from '../i18n.js';
import { apiURL } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { badge } from '../widgets.js';
import * as fmt from '../fmt.js';
import { bars } from '../charts.js';
import { go } from '../nav.js';

const STORE = 'octopus.clientKey';
const getKey = () => { try { return sessionStorage.getItem(STORE) || ''; } catch { return ''; } };
const setKey = k => { try { if (k) sessionStorage.setItem(STORE, k); else sessionStorage.removeItem(STORE); } catch { /* storage blocked */ } };

class KeyError extends Error { constructor(status, msg) { super(msg); this.status = status; } }

async function keyApi(path, key) {
  let res;
  try {
    res = await fetch(apiURL(path), { headers: { Authorization: 'Bearer ' + key, Accept: 'application/json' }, credentials: 'omit', cache: 'no-store' });
  } catch { throw new KeyError(0, t('err.network')); }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (res.ok) return data;
  if (res.status === 401) throw new KeyError(401, t('kv.bad'));
  if (res.status === 429) throw new KeyError(429, t('err.429', { secs: res.headers.get('Retry-After') || '…' }));
  throw new KeyError(res.status, (data && data.error && data.error.message) || t('err.generic', { status: res.status }));
}

/** keyLoginForm is the "sign in with an API key" form of the login page. */
export function keyLoginForm() {
  const key = h('input', { name: 'api_key', type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: 'sk-…' });
  const submit = h('button', { class: 'btn', type: 'submit', text: t('kv.submit') });
  const form = h('form', { class: 'key-login', novalidate: true },
    h('p', { class: 'muted small', text: t('kv.intro') }), errorBox(), field(t('kv.key'), key, { name: 'api_key' }), submit);
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearErrors(form);
    busy(submit, async () => {
      try {
        await keyApi('key/info', key.value.trim());
        setKey(key.value.trim());
        key.value = '';
        go('#/key');
      } catch (err) { showError(form, { field: 'api_key', message: err.message }); }
    });
  });
  return form;
}

/** keyPage renders the key holder's own view. */
export async function keyPage(root) {
  const key = getKey();
  if (!key) { location.hash = '#/login'; return; }
  const main = h('main', { id: 'main', class: 'key-view' }, h('p', { class: 'muted', text: t('loading') }));
  const lang = h('select', { class: 'lang', 'aria-label': t('lang'), onchange: e => { setLocale(e.target.value); keyPage(root); } },
    languages.map(([v, n]) => h('option', { value: v, selected: v === locale() }, n)));
  clear(root, h('header', { class: 'top' },
    h('span', { class: 'brand' }, h('img', { src: 'logo.svg', alt: '', width: 24, height: 24 }), 'Octopus'),
    h('span', { class: 'muted', text: t('kv.title') }),
    h('div', { class: 'tools' }, lang, h('button', { type: 'button', class: 'btn ghost', text: t('logout'), onclick: () => { setKey(''); location.hash = '#/login'; } }))), main);
  document.title = t('kv.title') + ' · Octopus';
  let info, usage;
  try {
    [info, usage] = await Promise.all([keyApi('key/info', key), keyApi('key/usage?days=30', key)]);
  } catch (err) {
    if (err.status === 401) { setKey(''); location.hash = '#/login'; return; }
    clear(main, h('p', { class: 'form-error', role: 'alert', text: err.message }));
    return;
  }
  const dayFmt = new Intl.DateTimeFormat(locale(), { month: 'numeric', day: 'numeric' });
  const u = usage.totals;
  const fact = (k, v) => [h('dt', { text: t(k) }), h('dd', {}, v)];
  clear(main,
    h('div', { class: 'page-head' }, h('h1', { text: info.name }),
      h('div', { class: 'badges' }, info.expired ? badge(t('ak.expired'), 'bad') : badge(t('ak.enabled'), 'ok'))),
    h('section', { class: 'card', dataset: { testid: 'key-info' } }, h('h2', { text: t('kv.limits') }),
      h('dl', { class: 'facts' },
        fact('ak.secret', h('code', { text: info.key_prefix })),
        fact('ak.spent', fmt.money(info.spent)),
        fact('ak.maxCost', info.max_cost == null ? t('ak.noLimit') : fmt.money(info.max_cost)),
        info.remaining == null ? null : fact('kv.remaining', fmt.money(info.remaining)),
        fact('ak.expires', info.expires_at ? fmt.dateTime(info.expires_at) : t('ak.never')),
        fact('ak.models', info.all_models ? t('ak.allModels') : (info.models.join(', ') || '—')))),
    h('section', { class: 'card', dataset: { testid: 'key-usage' } }, h('h2', { text: t('kv.usage') }),
      h('dl', { class: 'stats' },
        [['db.requests', fmt.number(u.requests)], ['db.cost', fmt.money(u.cost)], ['db.input', fmt.number(u.input_tokens)],
          ['db.output', fmt.number(u.output_tokens)], ['db.cached', fmt.number(u.cache_read_tokens)], ['db.reasoning', fmt.number(u.reasoning_tokens)]]
          .map(([k, v]) => h('div', { class: 'stat' }, h('dt', { text: t(k) }), h('dd', { text: v })))),
      bars(usage.days.map(p => ({ value: p.requests, label: dayFmt.format(new Date(p.time)), tip: `${dayFmt.format(new Date(p.time))}: ${fmt.number(p.requests)} · ${fmt.money(p.cost)}` })), { label: t('kv.usage'), every: 5 })),
    h('section', { class: 'card' }, h('h2', { text: t('db.topModels') }),
      usage.models.length ? h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, h('th', { text: t('name') }), h('th', { class: 'num', text: t('db.requests') }), h('th', { class: 'num', text: t('db.cost') }))),
        h('tbody', {}, usage.models.map(r => h('tr', {}, h('td', { text: r.name }), h('td', { class: 'num', text: fmt.number(r.requests) }), h('td', { class: 'num', text: fmt.money(r.cost) })))))
        : h('p', { class: 'empty', text: t('db.none') })));
}
