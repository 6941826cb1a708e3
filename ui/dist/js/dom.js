// Tiny DOM helpers. Everything is built with createElement/textContent,
// never innerHTML, so names and upstream errors cannot inject markup, and
// nothing needs inline styles (the CSP is default-src 'self').

/**
 * h builds an element. props: class, text, on<Event> handlers, dataset
 * (object), boolean/other attributes; children: nodes, strings, arrays,
 * null/false (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** clear empties a node and appends new children. */
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** nextId returns a unique element id for label/input pairs. */
export function nextId(prefix = 'f') { return `${prefix}-${++uid}`; }

/**
 * field wraps an input with its label, an optional hint and an error
 * slot; name is the API field it edits, so API errors land next to it.
 */
export function field(label, input, { name, hint, className } = {}) {
  const id = input.id || (input.id = nextId());
  const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const wrap = h('div', { class: 'field' + (className ? ' ' + className : ''), dataset: name ? { field: name } : undefined },
    h('label', { for: id, text: label }), input, hint ? h('p', { class: 'hint', text: hint }) : null, err);
  if (hint) input.setAttribute('aria-describedby', id + '-hint');
  return wrap;
}

/** busy disables a button while a promise runs and returns its result. */
export async function busy(btn, fn) {
  const was = btn.disabled;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try { return await fn(); } finally { btn.disabled = was; btn.removeAttribute('aria-busy'); }
}

/** modal opens a <dialog> with the given content; resolves when closed. */
export function modal(title, body, actions) {
  return new Promise(resolve => {
    const dlg = h('dialog', { class: 'modal', 'aria-label': title },
      h('h2', { text: title }), body, h('div', { class: 'actions' }, actions(v => { dlg.close(); resolve(v); })));
    dlg.addEventListener('close', () => { dlg.remove(); resolve(undefined); });
    document.body.append(dlg);
    dlg.showModal();
  });
}
