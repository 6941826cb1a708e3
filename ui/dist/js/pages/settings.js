// Settings: the admin password and the panel's language.
import { h, clear, field, busy } from '../dom.js';
import { t, locale, setLocale, languages } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { badge, toggle } from '../widgets.js';

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

  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.settings') })), form, logsForm(), caddyfileCard(), look);
}

// logsForm edits body recording through the generic settings API
// (log_bodies "on"/"off", log_body_max_bytes). What was typed stays when
// a save fails.
function logsForm() {
  const bodies = toggle(t('st.logBodies'), false, { name: 'log_bodies' });
  const maxBytes = h('input', { class: 'short', name: 'log_body_max_bytes', placeholder: '65536, 64KB', autocomplete: 'off', spellcheck: 'false' });
  const done = h('p', { class: 'success', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn primary', text: t('save') });
  const form = h('form', { class: 'card form', novalidate: true, dataset: { testid: 'log-settings' } },
    h('h2', { text: t('st.gateway') }), errorBox(),
    h('div', { class: 'field', dataset: { field: 'log_bodies' } }, bodies, h('p', { class: 'hint', text: t('st.logBodiesHint') }), h('p', { class: 'field-error', role: 'alert', hidden: true })),
    field(t('st.maxBytes'), maxBytes, { name: 'log_body_max_bytes', hint: t('st.maxBytesHint') }),
    done, h('div', { class: 'actions' }, save));
  let storedMax = ''; // delete log_body_max_bytes only when there is one
  const locked = h('p', { class: 'notice', hidden: true, text: t('st.lockedHint') });
  form.querySelector('h2').after(locked);
  Promise.all([api('GET', 'settings'), api('GET', 'locked-settings')]).then(([s, lk]) => {
    bodies.input.checked = s.log_bodies === 'on';
    maxBytes.value = storedMax = s.log_body_max_bytes || '';
    // Set in the Caddyfile: shown with their effective values, read-only.
    if ('log_bodies' in lk) {
      bodies.input.disabled = maxBytes.disabled = true;
      save.hidden = true;
      locked.hidden = false;
      form.querySelector('h2').append(' ', badge(t('src.caddyfile'), 'src'));
    }
  }).catch(err => showError(form, err));
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearErrors(form);
    done.textContent = '';
    const v = maxBytes.value.trim();
    busy(save, async () => {
      try {
        await api('PUT', 'settings', { log_bodies: bodies.input.checked ? 'on' : 'off', ...(v ? { log_body_max_bytes: v } : {}) });
        if (!v && storedMax) await api('DELETE', 'settings/log_body_max_bytes').catch(err => { if (err.status !== 404) throw err; });
        storedMax = v;
        done.textContent = t('st.saved');
      } catch (err) { showError(form, err); }
    });
  });
  return form;
}

// caddyfileCard says where the worker intervals and retention are set:
// they are Caddyfile options, read-only here.
function caddyfileCard() {
  const keys = ['stats_flush_interval', 'price_sync', 'model_sync_interval', 'log_retention', 'database'];
  const values = new Map(keys.map(k => [k, h('span', { class: 'muted', dataset: { option: k } })]));
  const card = h('section', { class: 'card form', dataset: { testid: 'caddyfile-options' } },
    h('div', { class: 'item-head' }, h('h2', { text: t('st.caddyfile') }), badge(t('src.caddyfile'), 'src')),
    errorBox(),
    h('ul', { class: 'plain' }, keys.map(k => h('li', {}, h('code', { text: k }), ' ', values.get(k)))),
    h('p', { class: 'hint', text: t('st.caddyfileHint') }));
  // The values in force, as the gateway reports them.
  api('GET', 'options').then(o => {
    for (const [k, el] of values) el.textContent = o[k] ?? '';
  }).catch(err => showError(card, err));
  return card;
}
