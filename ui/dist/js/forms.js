// Showing API errors where they belong: next to the field the server
// named, else at the top of the form. The form's inputs are never reset
// on failure, so what the user typed stays.
import { h } from './dom.js';

/** clearErrors hides every error message inside root. */
export function clearErrors(root) {
  for (const p of root.querySelectorAll('.field-error, .form-error')) { p.hidden = true; p.textContent = ''; }
  for (const f of root.querySelectorAll('.field.invalid')) f.classList.remove('invalid');
}

/**
 * showError puts err (an ApiError) next to its field inside root. A field
 * like "members[1].channel" falls back to "members[1]", then "members".
 */
export function showError(root, err) {
  let name = err.field || '';
  while (name) {
    const wrap = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (wrap) {
      const p = wrap.querySelector('.field-error');
      p.textContent = err.message;
      p.hidden = false;
      wrap.classList.add('invalid');
      const input = wrap.querySelector('input, select, textarea');
      if (input) input.focus();
      return;
    }
    const cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('['));
    name = cut > 0 ? name.slice(0, cut) : '';
  }
  formError(root).textContent = err.message;
  formError(root).hidden = false;
}

function formError(root) {
  let p = root.querySelector('.form-error');
  if (!p) { p = h('p', { class: 'form-error', role: 'alert' }); root.prepend(p); }
  return p;
}

/** errorBox is the form-level error slot; put it where the message should appear. */
export const errorBox = () => h('p', { class: 'form-error', role: 'alert', hidden: true });
