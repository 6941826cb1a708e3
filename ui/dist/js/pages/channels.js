// Channels: the list with health and breaker state, and the create/edit
// form driven by the channel types the binary supports.
import { h, clear, field, busy, modal } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { listEditor, kvEditor, tagInput, badge, toggle } from '../widgets.js';
import * as fmt from '../fmt.js';
import { go } from '../nav.js';

const healthKind = { healthy: 'ok', degraded: 'warn', down: 'bad', unused: '' };
const idPath = id => 'channels/' + encodeURIComponent(String(id));

/** channelsPage lists every channel. */
export async function channelsPage(main) {
  const list = h('div', { class: 'cards', 'aria-busy': 'true' });
  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.channels') }),
    h('a', { class: 'btn primary', href: '#/channels/new', text: '+ ' + t('ch.new') })), list);
  try {
    const chans = await api('GET', 'channels');
    list.removeAttribute('aria-busy');
    if (!chans.length) { list.append(h('p', { class: 'empty', text: t('ch.empty') })); return; }
    list.append(...chans.map(c => channelCard(c, () => channelsPage(main))));
  } catch (err) {
    list.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: err.message }));
  }
}

function channelCard(c, reload) {
  const ro = c.source === 'caddyfile';
  const hl = c.health || { status: 'unused', breakers: [] };
  const open = (hl.breakers || []).filter(b => b.state !== 'closed');
  const result = h('p', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const testBtn = h('button', { type: 'button', class: 'btn small', text: t('ch.test') });
  testBtn.onclick = () => busy(testBtn, () => runTest(c, result));
  return h('article', { class: 'card item', dataset: { name: c.name } },
    h('div', { class: 'item-head' },
      h('h2', { text: c.name }),
      h('div', { class: 'badges' },
        ro ? badge(t('src.caddyfile'), 'src') : null,
        c.enabled ? null : badge(t('disabled'), 'off'),
        badge(t('health.' + hl.status), healthKind[hl.status] ?? ''))),
    h('p', { class: 'muted small' }, c.type, ' · ', c.base_url || t('ch.defaultURL')),
    h('p', { class: 'models' }, c.models && c.models.length
      ? [c.models.slice(0, 6).join(', '), c.models.length > 6 ? ' ' + t('more', { n: fmt.number(c.models.length - 6) }) : '']
      : h('span', { class: 'muted', text: t('ch.noModels') })),
    open.length ? h('ul', { class: 'breakers' }, open.map(b => h('li', {},
      badge(t('breaker.' + b.state), b.state === 'open' ? 'bad' : 'warn'), ' ', b.model, ' · ', b.key,
      b.open_until ? ' · ' + t('breaker.until', { when: fmt.relative(b.open_until) }) : ''))) : null,
    result,
    h('div', { class: 'actions' },
      h('a', { class: 'btn small', href: '#/' + idPath(c.id), text: ro ? t('view') : t('edit') }),
      testBtn,
      ro ? null : h('button', { type: 'button', class: 'btn small danger', text: t('delete'), onclick: e => deleteChannel(c, e.target, result, reload) })));
}

async function runTest(c, out, model) {
  out.className = 'test-result';
  out.textContent = t('ch.testing');
  try {
    const r = await api('POST', idPath(c.id) + '/test', model ? { model } : {});
    out.classList.add(r.ok ? 'ok' : 'bad');
    out.textContent = r.ok
      ? t('ch.testOK', { model: r.model, latency: fmt.ms(r.latency_ms) })
      : t(r.status ? 'ch.testFail' : 'ch.testNoAnswer', { model: r.model || '?', status: r.status, error: r.error || '' });
  } catch (err) {
    out.classList.add('bad');
    out.textContent = err.message;
  }
}

async function deleteChannel(c, btn, out, reload) {
  const ok = await modal(t('ch.deleteQ', { name: c.name }), h('p', { text: t('ch.deleteText') }), done => [
    h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => done(false) }),
    h('button', { type: 'button', class: 'btn danger', text: t('delete'), onclick: () => done(true) })]);
  if (!ok) return;
  try {
    await busy(btn, () => api('DELETE', idPath(c.id)));
    reload();
  } catch (err) {
    out.className = 'test-result bad';
    const used = err.body && err.body.used_by;
    out.textContent = used && used.length ? t('ch.usedBy', { groups: used.join(', ') }) : err.message;
  }
}

/** channelFormPage creates (id null) or edits a channel; Caddyfile ones are read-only. */
export async function channelFormPage(main, id) {
  main.append(h('p', { class: 'muted', 'aria-busy': 'true', text: t('loading') }));
  let types, c;
  try {
    [types, c] = await Promise.all([api('GET', 'channel-types'), id ? api('GET', idPath(id)) : null]);
  } catch (err) {
    clear(main, h('p', { class: 'form-error', role: 'alert', text: err.message }));
    return;
  }
  c = c || { type: types[0] && types[0].name, enabled: true, keys: [], models: [], headers: {} };
  const ro = c.source === 'caddyfile';
  const typeOf = name => types.find(x => x.name === name) || {};

  const name = h('input', { value: c.name || '', required: true, disabled: ro, autocomplete: 'off', spellcheck: 'false' });
  const type = h('select', { disabled: ro }, types.map(x => h('option', { value: x.name, selected: x.name === c.type }, x.display_name || x.name)));
  const baseURL = h('input', { type: 'url', value: c.base_url || '', disabled: ro, spellcheck: 'false' });
  const keys = listEditor(c.keys, { type: 'password', label: t('ch.key'), disabled: ro });
  const models = tagInput(c.models, { placeholder: t('ch.modelsPh'), label: t('ch.models'), disabled: ro });
  const fetchBtn = h('button', { type: 'button', class: 'btn small', text: t('ch.fetch'), hidden: ro });
  const picked = h('div', { class: 'fetched', hidden: true });
  const headers = kvEditor(c.headers, { disabled: ro });
  const proxy = h('input', { value: c.proxy || '', placeholder: 'socks5://127.0.0.1:1080', disabled: ro, spellcheck: 'false' });
  const timeout = h('input', { value: c.timeout || '', placeholder: '5m', disabled: ro, class: 'short' });
  const idle = h('input', { value: c.idle_timeout || '', placeholder: '5m', disabled: ro, class: 'short' });
  const enabled = toggle(t('ch.enabled'), c.enabled !== false, { disabled: ro });
  const autoSync = toggle(t('ch.autoSync'), c.auto_sync, { disabled: ro });
  const anthVer = h('input', { value: c.anthropic_version || '', placeholder: '2023-06-01', disabled: ro });
  const project = h('input', { value: c.project || '', disabled: ro });
  const tokenURL = h('input', { value: c.token_url || '', disabled: ro });
  const clientID = h('input', { value: c.client_id || '', disabled: ro });
  const clientSecret = h('input', { type: 'password', value: c.client_secret || '', disabled: ro });
  const anthBox = field(t('ch.anthVersion'), anthVer, { name: 'anthropic_version' });
  const oauthBox = h('fieldset', { class: 'group' }, h('legend', { text: t('ch.oauth') }),
    field(t('ch.project'), project, { name: 'project' }),
    field(t('ch.tokenURL'), tokenURL, { name: 'token_url' }),
    field(t('ch.clientID'), clientID, { name: 'client_id' }),
    field(t('ch.clientSecret'), clientSecret, { name: 'client_secret' }));
  const keyHint = h('p', { class: 'hint' });

  const onType = () => {
    const ty = typeOf(type.value);
    baseURL.placeholder = ty.default_base_url || '';
    keyHint.textContent = ty.oauth ? t('ch.oauthKeyHint') : (ty.key_hint ? t('ch.keyHint', { hint: ty.key_hint }) : '');
    anthBox.hidden = ty.format !== 'anthropic';
    oauthBox.hidden = !ty.oauth;
  };
  type.addEventListener('change', onType);

  const body = () => ({
    name: name.value.trim(), type: type.value, base_url: baseURL.value.trim(), keys: keys.value(),
    models: models.value(), headers: headers.value(), proxy: proxy.value.trim(),
    timeout: timeout.value.trim(), idle_timeout: idle.value.trim(),
    enabled: enabled.input.checked, auto_sync: autoSync.input.checked,
    anthropic_version: anthVer.value.trim(), project: project.value.trim(), token_url: tokenURL.value.trim(),
    client_id: clientID.value.trim(), client_secret: clientSecret.value,
  });

  const save = h('button', { type: 'submit', class: 'btn primary', text: t('save') });
  const testOut = h('p', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const testModel = h('select', { 'aria-label': t('ch.testModel') }, (c.models || []).map(m => h('option', { value: m }, m)));
  const testBtn = h('button', { type: 'button', class: 'btn', text: t('ch.test') });
  testBtn.onclick = () => busy(testBtn, () => runTest(c, testOut, testModel.value));

  const form = h('form', { class: 'card form', novalidate: true },
    errorBox(),
    ro ? h('p', { class: 'notice', text: t('ch.readonly') }) : null,
    field(t('name'), name, { name: 'name', hint: t('ch.nameHint') }),
    field(t('ch.type'), type, { name: 'type' }),
    field(t('ch.baseURL'), baseURL, { name: 'base_url', hint: t('ch.baseURLHint') }),
    h('div', { class: 'field', dataset: { field: 'keys' } }, h('label', { for: keys.id, text: t('ch.keys') }), keys, keyHint, h('p', { class: 'field-error', role: 'alert', hidden: true })),
    h('div', { class: 'field', dataset: { field: 'models' } }, h('label', { for: models.input.id || '', text: t('ch.models') }), models,
      h('div', { class: 'row' }, fetchBtn), picked, h('p', { class: 'field-error', role: 'alert', hidden: true })),
    h('details', { class: 'advanced', open: ro || Object.keys(c.headers || {}).length || c.proxy || c.timeout || c.idle_timeout ? true : null },
      h('summary', { text: t('ch.advanced') }),
      h('div', { class: 'field', dataset: { field: 'headers' } }, h('label', { for: headers.id, text: t('ch.headers') }), headers, h('p', { class: 'field-error', role: 'alert', hidden: true })),
      field(t('ch.proxy'), proxy, { name: 'proxy', hint: t('ch.proxyHint') }),
      h('div', { class: 'pair' },
        field(t('ch.timeout'), timeout, { name: 'timeout', hint: t('ch.timeoutHint') }),
        field(t('ch.idle'), idle, { name: 'idle_timeout', hint: t('ch.idleHint') })),
      anthBox, oauthBox),
    h('div', { class: 'field', dataset: { field: 'enabled' } }, enabled, autoSync),
    id ? h('div', { class: 'test-box' }, h('h2', { text: t('ch.test') }), h('div', { class: 'row' }, testModel, testBtn), testOut) : null,
    h('div', { class: 'actions sticky' },
      h('a', { class: 'btn', href: '#/channels', text: ro ? t('back') : t('cancel') }),
      ro ? null : save));
  onType();

  fetchBtn.onclick = () => busy(fetchBtn, async () => {
    clearErrors(form);
    const b = body();
    if (c.id !== undefined) b.id = c.id; // masked keys resolve to the stored ones
    try {
      const res = await api('POST', 'channels/fetch-models', b);
      showFetched(picked, res.models || [], models);
      models.setSuggestions(res.models || []);
    } catch (err) { showError(form, err.field ? err : Object.assign(err, { field: 'models' })); }
  });

  form.addEventListener('submit', e => {
    e.preventDefault();
    if (ro) return;
    clearErrors(form);
    busy(save, async () => {
      try {
        if (id) await api('PUT', idPath(id), body()); else await api('POST', 'channels', body());
        go('#/channels');
      } catch (err) { showError(form, err); }
    });
  });

  clear(main, h('div', { class: 'page-head' }, h('h1', { text: id ? c.name : t('ch.new') }),
    ro ? badge(t('src.caddyfile'), 'src') : null), form);
}

// showFetched lists the upstream's models as checkboxes; ticking adds.
function showFetched(box, list, models) {
  const have = new Set(models.value());
  const boxes = list.map(m => {
    const cb = h('input', { type: 'checkbox', value: m, checked: have.has(m) });
    return h('label', { class: 'toggle' }, cb, h('span', { text: m }));
  });
  const addBtn = h('button', { type: 'button', class: 'btn small primary', text: t('ch.addPicked'), onclick: () => {
    models.add(boxes.map(l => l.firstChild).filter(cb => cb.checked).map(cb => cb.value));
    box.hidden = true;
  } });
  const all = h('button', { type: 'button', class: 'btn small', text: t('ch.selectAll'), onclick: () => boxes.forEach(l => { l.firstChild.checked = true; }) });
  clear(box, list.length ? h('p', { class: 'hint', text: t('ch.fetched', { n: fmt.number(list.length) }) }) : h('p', { class: 'hint', text: t('ch.fetchedNone') }),
    h('div', { class: 'pick-list' }, boxes), list.length ? h('div', { class: 'row' }, all, addBtn) : null);
  box.hidden = false;
}
