// The login form. On success it hands the user to onDone, which returns
// to the page the user was on before the session ran out.
import { h, field, busy } from '../dom.js';
import { t, locale, setLocale, languages } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { keyLoginForm } from './keyview.js';

/** loginPage renders the sign-in screen. */
export function loginPage(onDone) {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, value: 'admin' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, autofocus: true });
  const submit = h('button', { class: 'btn primary', type: 'submit', text: t('login.submit') });
  const form = h('form', { class: 'card login', novalidate: true },
    h('h1', {}, h('img', { src: 'logo.svg', alt: '', width: 32, height: 32 }), 'Octopus'),
    h('p', { class: 'muted', text: t('login.title') }),
    errorBox(),
    field(t('login.username'), user, { name: 'username' }),
    field(t('login.password'), pass, { name: 'password' }),
    submit,
    h('select', { class: 'lang', 'aria-label': t('lang'), onchange: e => { setLocale(e.target.value); location.reload(); } },
      languages.map(([v, name]) => h('option', { value: v, selected: v === locale() }, name))));
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearErrors(form);
    busy(submit, async () => {
      try {
        const res = await api('POST', 'auth/login', { username: user.value.trim(), password: pass.value });
        onDone(res.user);
      } catch (err) {
        if (err.status === 401) err.message = t('login.bad');
        showError(form, err);
        pass.select();
      }
    });
  });
  queueMicrotask(() => pass.focus());
  // Holders of a client API key sign in below to see their own usage.
  return h('div', { class: 'center' }, h('div', { class: 'login-stack' }, form,
    h('details', { class: 'card login key-box' }, h('summary', { text: t('kv.open') }), keyLoginForm())));
}
