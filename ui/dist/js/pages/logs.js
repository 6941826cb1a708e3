// Logs: request log rows, newest first, with filters and paging; rows
// written while the page is open arrive over the live stream (SSE) and
// are added on top when they match the filters. A row opens its detail:
// attempts, timings, tokens, cost and, when recorded, the bodies.
import { h, clear, field, busy } from '../dom.js';
import { t } from '../i18n.js';
import { api, apiURL } from '../api.js';
import { badge } from '../widgets.js';
import * as fmt from '../fmt.js';

const filterNames = ['api_key', 'group', 'channel', 'status'];

/** logsPage renders the filtered list and follows the live stream. */
export async function logsPage(main) {
  const inputs = {
    from: h('input', { type: 'datetime-local', name: 'from' }),
    to: h('input', { type: 'datetime-local', name: 'to' }),
    api_key: h('input', { name: 'api_key', autocomplete: 'off', spellcheck: 'false' }),
    group: h('input', { name: 'group', autocomplete: 'off', spellcheck: 'false' }),
    channel: h('input', { name: 'channel', autocomplete: 'off', spellcheck: 'false' }),
    status: h('input', { name: 'status', placeholder: '200, 4xx, 5xx', autocomplete: 'off', size: 6 }),
  };
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const live = h('span', { class: 'badge live', role: 'status' });
  const list = h('ol', { class: 'log-list', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'btn', text: t('lg.more'), hidden: true });
  const apply = h('button', { type: 'submit', class: 'btn primary', text: t('lg.apply') });
  const form = h('form', { class: 'card filters', novalidate: true },
    field(t('lg.from'), inputs.from, { name: 'from' }), field(t('lg.to'), inputs.to, { name: 'to' }),
    field(t('lg.key'), inputs.api_key, { name: 'api_key' }), field(t('lg.group'), inputs.group, { name: 'group' }),
    field(t('lg.channel'), inputs.channel, { name: 'channel' }), field(t('lg.status'), inputs.status, { name: 'status' }),
    h('div', { class: 'actions' }, apply,
      h('button', { type: 'reset', class: 'btn', text: t('lg.clear') })));
  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.logs') }), live), form, err, list, h('div', { class: 'actions' }, more));

  let filters = {};
  let cursor = '';
  const query = () => {
    const f = {};
    for (const n of filterNames) if (inputs[n].value.trim()) f[n] = inputs[n].value.trim();
    for (const n of ['from', 'to']) if (inputs[n].value) f[n] = new Date(inputs[n].value).toISOString();
    return f;
  };
  const load = async append => {
    err.hidden = true;
    const params = new URLSearchParams({ ...filters, limit: '50' });
    if (append && cursor) params.set('cursor', cursor);
    try {
      const res = await api('GET', 'logs?' + params);
      if (!append) list.replaceChildren();
      list.append(...res.logs.map(row));
      if (!list.children.length) list.append(h('li', { class: 'empty', text: t('lg.empty') }));
      cursor = res.next_cursor || '';
      more.hidden = !cursor;
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); filters = query(); busy(apply, () => load(false)); });
  form.addEventListener('reset', () => { setTimeout(() => { filters = {}; load(false); }); });
  more.onclick = () => busy(more, () => load(true));
  await load(false);
  follow(list, live, () => filters);
}

// follow opens the live stream and closes it once the list leaves the page.
function follow(list, live, filters) {
  const es = new EventSource(apiURL('logs/stream'), { withCredentials: true });
  const state = k => { live.textContent = t('lg.' + k); live.className = 'badge live ' + (k === 'live' ? 'ok' : 'warn'); };
  state('connecting');
  es.onopen = () => state('live');
  es.onerror = () => { if (list.isConnected) state('offline'); };
  es.addEventListener('log', ev => {
    if (!list.isConnected) { es.close(); return; }
    let r;
    try { r = JSON.parse(ev.data); } catch { return; }
    if (!matches(r, filters())) return;
    list.querySelector(':scope > .empty')?.remove();
    const li = row(r);
    li.classList.add('fresh');
    list.prepend(li);
  });
  // After a navigation the new page has replaced the list: stop then.
  const onHash = () => setTimeout(() => { if (!list.isConnected) { es.close(); window.removeEventListener('hashchange', onHash); } });
  window.addEventListener('hashchange', onHash);
}

function matches(r, f) {
  if (f.api_key && r.api_key !== f.api_key) return false;
  if (f.group && r.group !== f.group) return false;
  if (f.channel && r.channel !== f.channel) return false;
  if (f.status) {
    const m = /^([1-5])xx$/i.exec(f.status);
    if (m ? Math.floor(r.status / 100) !== Number(m[1]) : String(r.status) !== f.status) return false;
  }
  const at = new Date(r.time);
  if (f.from && at < new Date(f.from)) return false;
  if (f.to && at >= new Date(f.to)) return false;
  return true;
}

const statusKind = s => (s >= 200 && s < 300 ? 'ok' : s >= 500 || s === 0 ? 'bad' : 'warn');

function row(r) {
  const li = h('li', { class: 'log-row', dataset: { group: r.group || '', key: r.api_key || '', status: String(r.status) } });
  const btn = h('button', { type: 'button', class: 'log-open', title: t('lg.details') },
    h('span', { class: 'log-time', text: fmt.dateTime(r.time) }),
    badge(String(r.status), statusKind(r.status)),
    h('span', { class: 'log-model' }, h('strong', { text: r.group || '—' }), r.channel ? h('span', { class: 'muted', text: ' → ' + r.channel + ' / ' + (r.upstream_model || '') }) : null),
    h('span', { class: 'log-key muted', text: r.api_key || '' }),
    h('span', { class: 'log-tokens muted', text: fmt.number(r.input_tokens || 0) + ' / ' + fmt.number(r.output_tokens || 0) }),
    h('span', { class: 'log-cost', text: r.unpriced ? t('lg.unpriced') : fmt.money(r.cost || 0) }),
    h('span', { class: 'log-dur muted', text: fmt.ms(r.duration_ms || 0) }));
  btn.onclick = () => detail(r);
  li.append(btn);
  return li;
}

// detail shows one row; stored rows are fetched again for their bodies.
async function detail(r) {
  const content = h('div', { class: 'log-detail' }, h('p', { class: 'muted', text: t('loading') }));
  const dlg = h('dialog', { class: 'modal wide', 'aria-label': t('lg.details') },
    h('h2', { text: t('lg.details') }), content,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', text: t('close'), onclick: () => dlg.close() })));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  let full = r;
  if (r.id) {
    try { full = await api('GET', 'logs/' + r.id); } catch (e) { content.before(h('p', { class: 'form-error', role: 'alert', text: e.message })); }
  }
  const fact = (k, v) => [h('dt', { text: t(k) }), h('dd', {}, v)];
  clear(content,
    h('dl', { class: 'facts' },
      fact('lg.time', fmt.dateTime(full.time)),
      fact('lg.status', badge(String(full.status), statusKind(full.status))),
      fact('lg.key', full.api_key || '—'),
      fact('lg.group', full.group || '—'),
      fact('lg.channel', full.channel ? full.channel + ' / ' + (full.upstream_model || '') : '—'),
      fact('lg.formats', (full.inbound_format || '') + ' → ' + (full.outbound_format || '') + (full.stream ? ' · ' + t('lg.stream') : '')),
      fact('lg.ttft', full.ttft_ms ? fmt.ms(full.ttft_ms) : '—'),
      fact('lg.duration', fmt.ms(full.duration_ms || 0)),
      fact('lg.tokens', t('lg.tokensFmt', {
        input: fmt.number(full.input_tokens || 0), output: fmt.number(full.output_tokens || 0),
        cached: fmt.number(full.cache_read_tokens || 0), written: fmt.number(full.cache_write_tokens || 0), reasoning: fmt.number(full.reasoning_tokens || 0),
      })),
      fact('lg.cost', full.unpriced ? t('lg.unpricedLong') : fmt.money(full.cost || 0)),
      full.error ? fact('lg.error', h('span', { class: 'bad-text', text: full.error })) : null),
    h('h3', { text: t('lg.attempts') }),
    (full.attempts || []).length ? h('div', { class: 'scroll-x' }, h('table', { class: 'table attempts' },
      h('thead', {}, h('tr', {}, ['#', t('lg.channel'), t('lg.model'), t('lg.status'), t('lg.duration'), t('lg.error')].map(x => h('th', { text: x })))),
      h('tbody', {}, full.attempts.map((a, i) => h('tr', {},
        h('td', { text: String(i + 1) }), h('td', { text: a.channel }), h('td', { text: a.model }),
        h('td', {}, badge(String(a.status), statusKind(a.status))), h('td', { class: 'num', text: fmt.ms(a.duration_ms || 0) }),
        h('td', { class: 'bad-text', text: a.error || '' }))))))
      : h('p', { class: 'muted', text: t('lg.noAttempts') }),
    body(t('lg.reqBody'), full.request_body, 'request', full.request_body_truncated),
    body(t('lg.respBody'), full.response_body, 'response', full.response_body_truncated),
    full.request_body == null && full.response_body == null ? h('p', { class: 'hint', text: t('lg.noBodies') }) : null);
}

function body(title, text, id, cut) {
  if (text == null || text === '') return null;
  let shown = typeof text === 'string' ? text : JSON.stringify(text, null, 2);
  try { shown = JSON.stringify(JSON.parse(shown), null, 2); } catch { /* not JSON (a stream): as is */ }
  return h('details', { class: 'body', open: true, dataset: { body: id } }, h('summary', { text: title }),
    cut ? h('p', { class: 'hint warn', text: t('lg.truncated') }) : null, h('pre', { text: shown }));
}
