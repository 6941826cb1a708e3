// Settings: the admin password and the panel's language.
import { h, clear, field, busy } from '../dom.js';
import { t, locale, setLocale, languages } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';

/** settingsPage renders the account and appearance settings. */
export function settingsPage(main) {
  const cur = h('input', { type: 'password', autocomplete: 'current-password' });
  const next = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8 });
  const again = h('input', { type: 'password', autocomplete: 'new-password' });
  const done = h('p', { class: 'success', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn primary', text: t('st.change') });
  const form = h('form', { class: 'card form', novalidate: true },
    h('h2', { text: t('st.password') }),
    errorBox(),
    field(t('st.current'), cur, { name: 'current_password' }),
    field(t('st.new'), next, { name: 'new_password', hint: t('st.newHint') }),
    field(t('st.again'), again, { name: 'again' }),
    done,
    h('div', { class: 'actions' }, save));
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearErrors(form);
    done.textContent = '';
    if (next.value !== again.value) { showError(form, { field: 'again', message: t('st.mismatch') }); return; }
    if (next.value.length < 8) { showError(form, { field: 'new_password', message: t('st.short') }); return; }
    busy(save, async () => {
      try {
        await api('PUT', 'auth/password', { current_password: cur.value, new_password: next.value });
        cur.value = next.value = again.value = '';
        done.textContent = t('st.changed');
      } catch (err) { showError(form, err); }
    });
  });

  const lang = h('select', { onchange: e => { setLocale(e.target.value); window.dispatchEvent(new HashChangeEvent('hashchange')); } },
    languages.map(([v, n]) => h('option', { value: v, selected: v === locale() }, n)));
  const look = h('section', { class: 'card form' }, h('h2', { text: t('st.appearance') }),
    field(t('lang'), lang, { hint: t('st.langHint') }),
    h('p', { class: 'hint', text: t('st.theme') }));

  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.settings') })), form, look);
}
