// Dashboard: totals for today, 7 and 30 days, trend charts by hour and
// day, an activity heatmap (day × hour), rankings and requests in flight.
// It refreshes itself while shown, so new traffic appears without reload.
import { h, clear } from '../dom.js';
import { t, locale } from '../i18n.js';
import { api } from '../api.js';
import * as fmt from '../fmt.js';
import { bars, heatmap } from '../charts.js';

const HOUR = 3600e3, DAY = 24 * HOUR;
const REFRESH_MS = 10000;

function startOfToday() { const d = new Date(); d.setHours(0, 0, 0, 0); return d; }
const q = o => new URLSearchParams(o).toString();

/** dashboardPage renders the overview and keeps it current. */
export async function dashboardPage(main) {
  const inflight = h('span', { class: 'inflight', dataset: { testid: 'inflight' } });
  const body = h('div', { class: 'dash', 'aria-busy': 'true' }, h('p', { class: 'muted', text: t('loading') }));
  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.dashboard') }),
    h('p', { class: 'muted' }, t('db.inflight') + ': ', inflight)), body);
  let timer = 0;
  const tick = async () => {
    if (!main.isConnected || !body.isConnected) return; // left the page
    try {
      await load(body, inflight);
    } catch (err) {
      if (err.status === 401) return;
      body.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: err.message }));
    }
    body.removeAttribute('aria-busy');
    if (body.isConnected) timer = setTimeout(tick, REFRESH_MS);
  };
  await tick();
  return () => clearTimeout(timer);
}

async function load(body, inflight) {
  const now = new Date();
  const today = startOfToday();
  const week = new Date(now - 7 * DAY), month = new Date(now - 30 * DAY);
  const [fl, sToday, sWeek, sMonth, hours, days, heat, byChannel, byModel] = await Promise.all([
    api('GET', 'stats/inflight'),
    api('GET', 'stats/summary?' + q({ from: today.toISOString() })),
    api('GET', 'stats/summary?' + q({ from: week.toISOString() })),
    api('GET', 'stats/summary?' + q({ from: month.toISOString() })),
    api('GET', 'stats/series?' + q({ interval: 'hour', to: now.toISOString() })),
    api('GET', 'stats/series?' + q({ interval: 'day', from: month.toISOString(), to: now.toISOString() })),
    api('GET', 'stats/series?' + q({ interval: 'hour', from: new Date(today - 6 * DAY).toISOString(), to: now.toISOString() })),
    api('GET', 'stats/rankings?' + q({ by: 'channel', from: month.toISOString() })),
    api('GET', 'stats/rankings?' + q({ by: 'model', from: month.toISOString() })),
  ]);
  inflight.textContent = fmt.number(fl.in_flight);
  const hourFmt = new Intl.DateTimeFormat(locale(), { hour: 'numeric' });
  const dayFmt = new Intl.DateTimeFormat(locale(), { month: 'numeric', day: 'numeric' });
  const tip = (d, p) => `${d}: ${fmt.number(p.requests)} ${t('db.requests')} · ${fmt.money(p.cost)}`;
  clear(body,
    h('div', { class: 'periods' },
      period('today', t('db.today'), sToday), period('week', t('db.week'), sWeek), period('month', t('db.month'), sMonth)),
    h('section', { class: 'card' }, h('h2', { text: t('db.byHour') }),
      bars(hours.map(p => { const d = new Date(p.time); return { value: p.requests, label: hourFmt.format(d), tip: tip(fmt.dateTime(p.time), p) }; }), { label: t('db.byHour'), every: 4 })),
    h('section', { class: 'card' }, h('h2', { text: t('db.byDay') }),
      bars(days.map(p => { const d = new Date(p.time); return { value: p.requests, label: dayFmt.format(d), tip: tip(dayFmt.format(d), p) }; }), { label: t('db.byDay'), every: 5 })),
    h('section', { class: 'card' }, h('h2', { text: t('db.heatmap') }), heatGrid(heat)),
    h('div', { class: 'pair' },
      ranking(t('db.topChannels'), byChannel, 'channels'), ranking(t('db.topModels'), byModel, 'models')));
}

function period(id, label, s) {
  const rate = s.requests ? s.successes / s.requests : null;
  const stat = (k, v) => h('div', { class: 'stat' }, h('dt', { text: t(k) }), h('dd', { text: v }));
  return h('section', { class: 'card period', dataset: { period: id } }, h('h2', { text: label }),
    h('dl', { class: 'stats' },
      stat('db.requests', fmt.number(s.requests)),
      stat('db.success', rate === null ? '—' : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(rate)),
      stat('db.cost', fmt.money(s.cost)),
      stat('db.input', fmt.number(s.input_tokens)),
      stat('db.output', fmt.number(s.output_tokens)),
      stat('db.cached', fmt.number(s.cache_read_tokens)),
      stat('db.reasoning', fmt.number(s.reasoning_tokens))),
    s.unpriced_requests ? h('p', { class: 'hint warn', text: t('db.unpriced', { n: fmt.number(s.unpriced_requests) }) }) : null);
}

// heatGrid folds hourly points into local day × hour-of-day cells.
function heatGrid(points) {
  const today = startOfToday();
  const dayFmt = new Intl.DateTimeFormat(locale(), { weekday: 'short', day: 'numeric' });
  const rows = [...Array(7)].map((_, i) => new Date(today - (6 - i) * DAY));
  const cells = rows.map(() => [...Array(24)].map(() => ({ value: 0, tip: '' })));
  for (const p of points) {
    const d = new Date(p.time);
    const i = Math.floor((new Date(d).setHours(0, 0, 0, 0) - rows[0]) / DAY + 0.5);
    if (i < 0 || i > 6) continue;
    cells[i][d.getHours()].value += p.requests;
  }
  rows.forEach((r, i) => cells[i].forEach((c, hr) => { c.tip = `${dayFmt.format(r)} ${hr}:00 · ${fmt.number(c.value)} ${t('db.requests')}`; }));
  return h('div', { class: 'scroll-x' }, heatmap(cells, rows.map(r => dayFmt.format(r)), [...Array(24)].map((_, i) => String(i)), { label: t('db.heatmap') }));
}

function ranking(title, rows, id) {
  return h('section', { class: 'card', dataset: { ranking: id } }, h('h2', { text: title }),
    rows.length ? h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { text: t('name') }), h('th', { class: 'num', text: t('db.requests') }), h('th', { class: 'num', text: t('db.cost') }))),
      h('tbody', {}, rows.slice(0, 10).map(r => h('tr', {},
        h('td', { text: r.name || '—' }), h('td', { class: 'num', text: fmt.number(r.requests) }), h('td', { class: 'num', text: fmt.money(r.cost) })))))
      : h('p', { class: 'empty', text: t('db.none') }));
}
