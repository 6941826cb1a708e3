// Locale-aware formatting with Intl. Formatters are cached per locale
// because building one is far slower than using it.
import { locale } from './i18n.js';

const cache = new Map();
function get(kind, opts, make) {
  const key = locale() + kind;
  let f = cache.get(key);
  if (!f) { f = make(locale(), opts); cache.set(key, f); }
  return f;
}

/** number formats an integer or decimal count. */
export const number = n => get('n', null, l => new Intl.NumberFormat(l)).format(n);

/** money formats a USD amount. */
export const money = n => get('m', null, l => new Intl.NumberFormat(l, { style: 'currency', currency: 'USD', maximumFractionDigits: 4 })).format(n);

/** dateTime formats an RFC 3339 time in the user's time zone. */
export function dateTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return s;
  return get('dt', null, l => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' })).format(d);
}

/** relative formats how long ago (or ahead) an RFC 3339 time is. */
export function relative(s) {
  if (!s) return '';
  const secs = (new Date(s) - Date.now()) / 1000;
  if (isNaN(secs)) return s;
  const rtf = get('rt', null, l => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }));
  const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [u, n] of units) if (Math.abs(secs) >= n) return rtf.format(Math.round(secs / n), u);
  return rtf.format(Math.round(secs), 'second');
}

/** ms formats a latency in milliseconds. */
export const ms = n => get('ms', null, l => new Intl.NumberFormat(l, { style: 'unit', unit: 'millisecond', unitDisplay: 'short' })).format(n);
