// Language choice and message lookup. English and Simplified Chinese;
// the browser's language decides unless the user picked one (kept in
// localStorage). Both dictionaries are small, so both are loaded.
import { en, zhCN } from './messages.js';

const dicts = { en, 'zh-CN': zhCN };
const KEY = 'octopus.lang';
let current = pick();

function pick() {
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* storage blocked */ }
  if (saved && dicts[saved]) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    if (/^zh\b/i.test(l)) return 'zh-CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

/** locale is the active language tag ("en" or "zh-CN"). */
export const locale = () => current;

/** languages lists the selectable languages with their own names. */
export const languages = [['en', 'English'], ['zh-CN', '简体中文']];

/** setLocale switches language and remembers the choice. */
export function setLocale(l) {
  if (!dicts[l]) return;
  current = l;
  try { localStorage.setItem(KEY, l); } catch { /* storage blocked */ }
  document.documentElement.lang = l;
}

/** t looks a message up, filling {name} placeholders from vars. */
export function t(key, vars) {
  let s = dicts[current][key] ?? en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

document.documentElement.lang = current;
