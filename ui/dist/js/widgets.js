// Small editors shared by the forms: a list of text rows, key/value
// rows and a tag (chip) input. Each exposes value() and keeps its own DOM.
import { h, nextId } from './dom.js';
import { t } from './i18n.js';

/** listEditor edits an array of strings, one input per row. */
export function listEditor(values, { placeholder = '', type = 'text', label, disabled } = {}) {
  const rows = h('div', { class: 'rows' });
  const add = v => {
    // Masked stored keys (sk-…abcd) are safe to show; typed ones stay hidden.
    const input = h('input', { type: v && v.includes('…') ? 'text' : type, value: v || '', placeholder, 'aria-label': label, disabled, autocomplete: 'off', spellcheck: 'false' });
    const row = h('div', { class: 'row' }, input,
      disabled ? null : h('button', { type: 'button', class: 'btn icon', 'aria-label': t('remove'), title: t('remove'), text: '×', onclick: () => row.remove() }));
    rows.append(row);
    return input;
  };
  (values && values.length ? values : ['']).forEach(add);
  const el = h('div', { class: 'list-editor', id: nextId() }, rows,
    disabled ? null : h('button', { type: 'button', class: 'btn small', text: '+ ' + t('add'), onclick: () => add('').focus() }));
  el.value = () => [...rows.querySelectorAll('input')].map(i => i.value.trim()).filter(Boolean);
  return el;
}

/** kvEditor edits a string map (headers). */
export function kvEditor(obj, { disabled } = {}) {
  const rows = h('div', { class: 'rows' });
  const add = (k, v) => {
    const key = h('input', { value: k || '', placeholder: t('kv.name'), 'aria-label': t('kv.name'), disabled, spellcheck: 'false' });
    const val = h('input', { value: v || '', placeholder: t('kv.value'), 'aria-label': t('kv.value'), disabled, spellcheck: 'false' });
    const row = h('div', { class: 'row kv' }, key, val,
      disabled ? null : h('button', { type: 'button', class: 'btn icon', 'aria-label': t('remove'), title: t('remove'), text: '×', onclick: () => row.remove() }));
    rows.append(row);
    return key;
  };
  Object.entries(obj || {}).forEach(([k, v]) => add(k, v));
  const el = h('div', { class: 'list-editor', id: nextId() }, rows,
    disabled ? null : h('button', { type: 'button', class: 'btn small', text: '+ ' + t('kv.add'), onclick: () => add().focus() }));
  el.value = () => {
    const out = {};
    for (const r of rows.children) {
      const [k, v] = r.querySelectorAll('input');
      if (k.value.trim()) out[k.value.trim()] = v.value;
    }
    return out;
  };
  return el;
}

/**
 * tagInput edits a set of short strings as chips: type and press Enter
 * (or comma, or paste a list). suggestions fill a datalist.
 */
export function tagInput(values, { placeholder = '', label, disabled, suggestions = [] } = {}) {
  const set = new Set(values || []);
  const chips = h('div', { class: 'chips' });
  const listId = nextId('dl');
  const input = h('input', { id: nextId(), placeholder, 'aria-label': label, disabled, hidden: disabled, list: listId, autocomplete: 'off', spellcheck: 'false' });
  const datalist = h('datalist', { id: listId });
  const el = h('div', { class: 'tag-input' + (disabled ? ' disabled' : ''), id: nextId() }, chips, input, datalist);
  const draw = () => {
    chips.replaceChildren(...[...set].map(v => h('span', { class: 'chip' }, v,
      disabled ? null : h('button', { type: 'button', 'aria-label': t('remove') + ' ' + v, text: '×', onclick: () => { set.delete(v); draw(); } }))));
    el.dispatchEvent(new Event('change'));
  };
  const take = () => {
    const parts = input.value.split(/[\s,]+/).map(s => s.trim()).filter(Boolean);
    if (!parts.length) return;
    parts.forEach(p => set.add(p));
    input.value = '';
    draw();
  };
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter' || e.key === ',') { e.preventDefault(); take(); }
    else if (e.key === 'Backspace' && !input.value && set.size) { set.delete([...set].pop()); draw(); }
  });
  input.addEventListener('change', take); // picking from the datalist
  input.addEventListener('blur', take);
  el.addEventListener('click', e => { if (e.target === el || e.target === chips) input.focus(); });
  el.value = () => { take(); return [...set]; };
  el.add = vs => { vs.forEach(v => set.add(v)); draw(); };
  el.setSuggestions = vs => datalist.replaceChildren(...vs.map(v => h('option', { value: v })));
  el.setSuggestions(suggestions);
  el.input = input;
  draw();
  return el;
}

/** badge is a small coloured label; kind picks the colour. */
export const badge = (text, kind = '') => h('span', { class: 'badge ' + kind, text });

/** toggle is a checkbox with its label to the right. */
export function toggle(label, checked, { disabled, name } = {}) {
  const input = h('input', { type: 'checkbox', checked: !!checked, disabled, name });
  const el = h('label', { class: 'toggle' }, input, h('span', { text: label }));
  el.input = input;
  return el;
}
