// Prices: stored default and channel prices, the models.dev prices the
// channels resolve to, models without a price, and the models.dev sync.
import { h, clear, field, busy, modal } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { badge } from '../widgets.js';
import * as fmt from '../fmt.js';

const kinds = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'];
const srcKind = { channel: 'src', default: 'ok', 'models.dev': '' };

/** pricesPage lists prices and lets the user edit stored ones. */
export async function pricesPage(main) {
  const body = h('div', { class: 'stack', 'aria-busy': 'true' }, h('p', { class: 'muted', text: t('loading') }));
  const syncOut = h('p', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const syncBtn = h('button', { type: 'button', class: 'btn', text: t('pr.sync') });
  const reload = () => pricesPage(main);
  syncBtn.onclick = () => busy(syncBtn, async () => {
    syncOut.className = 'test-result';
    syncOut.textContent = t('pr.syncing');
    try {
      const st = await api('POST', 'prices/sync');
      syncOut.className = 'test-result ok';
      syncOut.textContent = t('pr.synced', { n: fmt.number(st.models || 0) });
    } catch (err) {
      syncOut.className = 'test-result bad';
      syncOut.textContent = t('pr.syncFail', { error: err.message });
    }
  });
  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.prices') }),
    h('div', { class: 'actions' }, syncBtn,
      h('button', { type: 'button', class: 'btn primary', text: '+ ' + t('pr.new'), onclick: () => editPrice({}, reload) }))),
  syncOut, body);
  let data, chans;
  try {
    [data, chans] = await Promise.all([api('GET', 'prices'), api('GET', 'channels')]);
  } catch (err) {
    body.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: err.message }));
    return;
  }
  body.removeAttribute('aria-busy');
  const sync = data.sync || {};
  const unpriced = data.unpriced || [];
  clear(body,
    h('p', { class: 'muted small' }, t('pr.help'), ' ',
      sync.last_success ? t('pr.lastSync', { when: fmt.relative(sync.last_success), n: fmt.number(sync.models || 0) }) : t('pr.neverSynced'),
      sync.last_error ? h('span', { class: 'bad-text', text: ' ' + t('pr.lastError', { error: sync.last_error }) }) : null),
    unpriced.length ? h('section', { class: 'card unpriced', dataset: { testid: 'unpriced' } },
      h('h2', { text: t('pr.unpriced') }), h('p', { class: 'hint warn', text: t('pr.unpricedHelp') }),
      h('ul', { class: 'plain' }, unpriced.map(u => h('li', { dataset: { model: u.model, channel: u.channel || '' } },
        badge(t('pr.noPrice'), 'warn'), ' ', h('strong', { text: u.model }), u.channel ? h('span', { class: 'muted', text: ' · ' + u.channel }) : null, ' ',
        h('button', { type: 'button', class: 'btn small', text: t('pr.setPrice'), onclick: () => editPrice({ model: u.model, channel: u.channel || '' }, reload, chans) })))))
      : null,
    h('section', { class: 'card' }, h('h2', { text: t('pr.list') }),
      data.prices.length ? h('div', { class: 'scroll-x' }, h('table', { class: 'table prices' },
        h('thead', {}, h('tr', {}, h('th', { text: t('pr.model') }), h('th', { text: t('pr.channel') }), h('th', { text: t('pr.source') }),
          kinds.map(k => h('th', { class: 'num', text: t('pr.' + k) })), h('th', {}))),
        h('tbody', {}, data.prices.map(p => priceRow(p, reload, chans))))) : h('p', { class: 'empty', text: t('pr.empty') })));
}

function priceRow(p, reload, chans) {
  const stored = p.source === 'channel' || p.source === 'default';
  const out = h('span', { class: 'test-result bad', role: 'alert' });
  // An unpriced placeholder (added by the gateway for a model it served
  // without any price) prices nothing until filled in.
  return h('tr', { class: p.unpriced ? 'unpriced-row' : null, dataset: { model: p.model, channel: p.channel || '', source: p.source } },
    h('td', {}, p.model, p.unpriced ? [' ', badge(t('pr.noPrice'), 'warn')] : null),
    h('td', { text: p.channel || (p.source === 'default' ? t('pr.allChannels') : '—') }),
    h('td', {}, badge(p.source === 'models.dev' ? 'models.dev' : t('pr.src.' + p.source), srcKind[p.source] ?? ''), p.provider ? h('span', { class: 'muted small', text: ' ' + p.provider }) : null),
    kinds.map(k => h('td', { class: 'num', text: p[k] == null ? '—' : fmt.money(p[k]) })),
    h('td', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn small', text: p.unpriced ? t('pr.setPrice') : stored ? t('edit') : t('pr.override'),
        onclick: () => editPrice(stored ? p : { ...p, channel: '', id: undefined, source: 'default' }, reload, chans) }),
      stored ? h('button', { type: 'button', class: 'btn small danger', text: t('delete'), onclick: async e => {
        const ok = await modal(t('pr.deleteQ', { model: p.model }), h('p', { text: t('pr.deleteText') }), done => [
          h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => done(false) }),
          h('button', { type: 'button', class: 'btn danger', text: t('delete'), onclick: () => done(true) })]);
        if (!ok) return;
        try { await busy(e.target, () => api('DELETE', 'prices/' + p.id)); reload(); } catch (err) { out.textContent = err.message; }
      } }) : null, out));
}

// editPrice opens the price form in a dialog; on a failed save the dialog
// stays open with what was typed and the server's message by its field.
async function editPrice(p, reload, chans) {
  if (!chans) { try { chans = await api('GET', 'channels'); } catch { chans = []; } }
  const model = h('input', { value: p.model || '', autocomplete: 'off', spellcheck: 'false' });
  const channel = h('select', {}, h('option', { value: '', text: t('pr.allChannels') }),
    chans.map(c => h('option', { value: c.name, selected: c.name === p.channel }, c.name)));
  const inputs = Object.fromEntries(kinds.map(k => [k, h('input', { type: 'number', min: 0, step: 'any', inputmode: 'decimal', value: p[k] ?? '' })]));
  const form = h('form', { class: 'form price-form', novalidate: true },
    errorBox(),
    field(t('pr.model'), model, { name: 'model' }),
    field(t('pr.channel'), channel, { name: 'channel', hint: t('pr.channelHint') }),
    h('p', { class: 'hint', text: t('pr.unit') }),
    h('div', { class: 'pair' }, kinds.map(k => field(t('pr.' + k), inputs[k], { name: k, hint: k === 'input' || k === 'output' ? null : t('pr.optional') }))));
  const save = h('button', { type: 'submit', class: 'btn primary', text: t('save') });
  const cancel = h('button', { type: 'button', class: 'btn', text: t('cancel') });
  form.append(h('div', { class: 'actions' }, cancel, save));
  const dlg = h('dialog', { class: 'modal wide', 'aria-label': t('pr.edit') }, h('h2', { text: t('pr.edit') }), form);
  cancel.onclick = () => dlg.close();
  dlg.addEventListener('close', () => dlg.remove());
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearErrors(form);
    const body = { model: model.value.trim() };
    if (channel.value) body.channel = channel.value;
    for (const k of kinds) if (inputs[k].value !== '') body[k] = Number(inputs[k].value);
    busy(save, async () => {
      try { await api('PUT', 'prices', body); dlg.close(); reload(); } catch (err) { showError(form, err); }
    });
  });
  document.body.append(dlg);
  dlg.showModal();
  (p.model ? inputs.input : model).focus();
}
