// Client API keys of the gateway. The secret exists in clear only in the
// answer that creates a key, so it is shown once, with a copy button.
import { h, clear, field, busy, modal } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { tagInput, badge, toggle } from '../widgets.js';
import * as fmt from '../fmt.js';
import { go } from '../nav.js';

const idPath = id => 'api-keys/' + encodeURIComponent(String(id));

/** apiKeysPage lists every client key. */
export async function apiKeysPage(main) {
  const list = h('div', { class: 'cards', 'aria-busy': 'true' });
  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.apikeys') }),
    h('a', { class: 'btn primary', href: '#/api-keys/new', text: '+ ' + t('ak.new') })), list);
  try {
    const keys = await api('GET', 'api-keys');
    list.removeAttribute('aria-busy');
    if (!keys.length) { list.append(h('p', { class: 'empty', text: t('ak.empty') })); return; }
    list.append(...keys.map(k => keyCard(k, () => apiKeysPage(main))));
  } catch (err) {
    list.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: err.message }));
  }
}

const expired = k => k.expires_at && new Date(k.expires_at) < new Date();

function keyCard(k, reload) {
  const ro = k.source === 'caddyfile';
  const out = h('p', { class: 'test-result', role: 'status' });
  const en = toggle(t('ak.enabled'), k.enabled, { disabled: ro });
  en.input.addEventListener('change', async () => {
    const want = en.input.checked;
    en.input.disabled = true;
    try { await api('PUT', idPath(k.id), { enabled: want }); out.textContent = ''; } catch (err) {
      en.input.checked = !want;
      out.className = 'test-result bad';
      out.textContent = err.message;
    } finally { en.input.disabled = false; }
  });
  return h('article', { class: 'card item', dataset: { name: k.name } },
    h('div', { class: 'item-head' }, h('h2', { text: k.name }),
      h('div', { class: 'badges' }, ro ? badge(t('src.caddyfile'), 'src') : null,
        expired(k) ? badge(t('ak.expired'), 'bad') : null, k.enabled ? null : badge(t('disabled'), 'off'))),
    h('p', {}, h('code', { text: k.key_prefix || '' })),
    h('dl', { class: 'facts' },
      h('dt', { text: t('ak.models') }), h('dd', { text: k.models && k.models.length ? k.models.join(', ') : t('ak.allModels') }),
      h('dt', { text: t('ak.spent') }), h('dd', { text: fmt.money(k.spent || 0) + (k.max_cost != null ? ' / ' + fmt.money(k.max_cost) : '') }),
      h('dt', { text: t('ak.expires') }), h('dd', { text: k.expires_at ? fmt.dateTime(k.expires_at) : t('ak.never') }),
      h('dt', { text: t('ak.lastUsed') }), h('dd', { text: k.last_used_at ? fmt.relative(k.last_used_at) : t('ak.neverUsed') })),
    out,
    h('div', { class: 'actions' }, ro ? null : en,
      h('a', { class: 'btn small', href: '#/' + idPath(k.id), text: ro ? t('view') : t('edit') }),
      ro ? null : h('button', { type: 'button', class: 'btn small danger', text: t('delete'), onclick: async e => {
        const ok = await modal(t('ak.deleteQ', { name: k.name }), h('p', { text: t('ak.deleteText') }), done => [
          h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => done(false) }),
          h('button', { type: 'button', class: 'btn danger', text: t('delete'), onclick: () => done(true) })]);
        if (!ok) return;
        try { await busy(e.target, () => api('DELETE', idPath(k.id))); reload(); } catch (err) { out.className = 'test-result bad'; out.textContent = err.message; }
      } })));
}

// toLocalInput turns an RFC 3339 time into a datetime-local value.
function toLocalInput(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return '';
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** apiKeyFormPage creates (id null) or edits a key. */
export async function apiKeyFormPage(main, id) {
  main.append(h('p', { class: 'muted', text: t('loading') }));
  let groups, k;
  try {
    [groups, k] = await Promise.all([api('GET', 'groups'), id ? api('GET', idPath(id)) : null]);
  } catch (err) {
    clear(main, h('p', { class: 'form-error', role: 'alert', text: err.message }));
    return;
  }
  k = k || { enabled: true, models: [] };
  const ro = k.source === 'caddyfile';
  const name = h('input', { value: k.name || '', disabled: ro, autocomplete: 'off', spellcheck: 'false' });
  const models = tagInput(k.models, { placeholder: t('ak.modelsPh'), label: t('ak.models'), disabled: ro, suggestions: groups.map(g => g.name) });
  const expires = h('input', { type: 'datetime-local', value: toLocalInput(k.expires_at), disabled: ro });
  const maxCost = h('input', { type: 'number', min: 0, step: 'any', value: k.max_cost ?? '', placeholder: t('ak.noLimit'), disabled: ro, class: 'short' });
  const enabled = toggle(t('ak.enabled'), k.enabled !== false, { disabled: ro });
  const save = h('button', { type: 'submit', class: 'btn primary', text: id ? t('save') : t('ak.create') });
  const form = h('form', { class: 'card form', novalidate: true },
    errorBox(),
    field(t('name'), name, { name: 'name' }),
    h('div', { class: 'field', dataset: { field: 'models' } }, h('label', { for: models.input.id, text: t('ak.models') }), models,
      h('p', { class: 'hint', text: t('ak.modelsHint') }), h('p', { class: 'field-error', role: 'alert', hidden: true })),
    h('div', { class: 'pair' },
      field(t('ak.expires'), expires, { name: 'expires_at', hint: t('ak.expiresHint') }),
      field(t('ak.maxCost'), maxCost, { name: 'max_cost', hint: t('ak.maxCostHint') })),
    h('div', { class: 'field', dataset: { field: 'enabled' } }, enabled),
    h('div', { class: 'actions sticky' }, h('a', { class: 'btn', href: '#/api-keys', text: ro ? t('back') : t('cancel') }), ro ? null : save));

  form.addEventListener('submit', e => {
    e.preventDefault();
    if (ro) return;
    clearErrors(form);
    const body = {
      name: name.value.trim(), models: models.value(), enabled: enabled.input.checked,
      expires_at: expires.value ? new Date(expires.value).toISOString() : null,
      max_cost: maxCost.value === '' ? null : Number(maxCost.value),
    };
    busy(save, async () => {
      try {
        if (id) { await api('PUT', idPath(id), body); go('#/api-keys'); return; }
        const res = await api('POST', 'api-keys', body);
        await showSecret(res.secret);
        go('#/api-keys');
      } catch (err) { showError(form, err); }
    });
  });

  clear(main, h('div', { class: 'page-head' }, h('h1', { text: id ? k.name : t('ak.new') })), form);
}

// showSecret shows the new key's secret until the user closes the dialog.
function showSecret(secret) {
  const input = h('input', { class: 'secret', readonly: true, value: secret, 'aria-label': t('ak.secret'), spellcheck: 'false' });
  const status = h('p', { class: 'hint', role: 'status' });
  const copy = h('button', { type: 'button', class: 'btn primary', text: t('copy'), onclick: async () => {
    try {
      await navigator.clipboard.writeText(secret);
    } catch {
      // Clipboard API needs a secure context; fall back to selection copy.
      input.select();
      document.execCommand('copy');
    }
    status.textContent = t('copied');
  } });
  return modal(t('ak.secretTitle'), h('div', {}, h('p', { class: 'notice', text: t('ak.secretOnce') }), h('div', { class: 'row' }, input, copy), status),
    done => [h('button', { type: 'button', class: 'btn', text: t('ak.secretDone'), onclick: () => done(true) })]);
}
