// Groups: the model names clients ask for, each routing to channel/model
// members under a balancing mode.
import { h, clear, field, busy, modal } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { clearErrors, showError, errorBox } from '../forms.js';
import { badge } from '../widgets.js';
import * as fmt from '../fmt.js';
import { go } from '../nav.js';

const modes = ['round_robin', 'random', 'failover', 'weighted'];
const idPath = id => 'groups/' + encodeURIComponent(String(id));

/** groupsPage lists every group. */
export async function groupsPage(main) {
  const list = h('div', { class: 'cards', 'aria-busy': 'true' });
  clear(main, h('div', { class: 'page-head' }, h('h1', { text: t('nav.groups') }),
    h('a', { class: 'btn primary', href: '#/groups/new', text: '+ ' + t('gr.new') })), list);
  try {
    const [groups, chans] = await Promise.all([api('GET', 'groups'), api('GET', 'channels')]);
    list.removeAttribute('aria-busy');
    if (!groups.length) { list.append(h('p', { class: 'empty', text: t('gr.empty') })); return; }
    list.append(...groups.map(g => groupCard(g, chans, () => groupsPage(main))));
  } catch (err) {
    list.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: err.message }));
  }
}

// memberHealth says whether a member can take requests now, from its
// channel's switch and the breakers of its (key, model) pairs.
export function memberHealth(m, chans) {
  const c = chans.find(x => x.name === m.channel);
  if (!c || !c.enabled || m.missing) return 'bad';
  const bs = ((c.health && c.health.breakers) || []).filter(b => b.model === m.model);
  const open = bs.filter(b => b.state !== 'closed' || b.resting);
  if (!open.length) return 'ok';
  return open.length === bs.length ? 'bad' : 'warn';
}

function healthDot(m, chans) {
  const k = memberHealth(m, chans);
  const label = k === 'ok' ? t('gr.healthy') : t('gr.unhealthy');
  return h('span', { class: 'health-dot ' + k, title: label, role: 'img', 'aria-label': label, dataset: { health: k } });
}

function groupCard(g, chans, reload) {
  const ro = g.source === 'caddyfile';
  const out = h('p', { class: 'test-result', role: 'status' });
  return h('article', { class: 'card item', dataset: { name: g.name } },
    h('div', { class: 'item-head' }, h('h2', { text: g.name }),
      h('div', { class: 'badges' }, ro ? badge(t('src.caddyfile'), 'src') : null, badge(t('mode.' + (g.mode || 'round_robin'))))),
    h('p', { class: 'hint', text: t('modeHelp.' + (g.mode || 'round_robin')) }),
    h('ol', { class: 'members' }, (g.members || []).map(m => h('li', {},
      healthDot(m, chans), h('span', { text: m.channel + ' / ' + m.model }),
      g.mode === 'failover' ? h('span', { class: 'muted small', text: ' · ' + t('gr.priority') + ' ' + fmt.number(m.priority || 0) }) : null,
      g.mode === 'weighted' ? h('span', { class: 'muted small', text: ' · ' + t('gr.weight') + ' ' + fmt.number(m.weight || 1) }) : null,
      m.missing ? [' ', badge(t('gr.missing'), 'warn')] : null))),
    out,
    h('div', { class: 'actions' },
      h('a', { class: 'btn small', href: '#/' + idPath(g.id), text: ro ? t('view') : t('edit') }),
      ro ? null : h('button', { type: 'button', class: 'btn small danger', text: t('delete'), onclick: async e => {
        const ok = await modal(t('gr.deleteQ', { name: g.name }), h('p', { text: t('gr.deleteText') }), done => [
          h('button', { type: 'button', class: 'btn', text: t('cancel'), onclick: () => done(false) }),
          h('button', { type: 'button', class: 'btn danger', text: t('delete'), onclick: () => done(true) })]);
        if (!ok) return;
        try { await busy(e.target, () => api('DELETE', idPath(g.id))); reload(); } catch (err) { out.className = 'test-result bad'; out.textContent = err.message; }
      } })));
}

/** groupFormPage creates (id null) or edits a group; Caddyfile ones are read-only. */
export async function groupFormPage(main, id) {
  main.append(h('p', { class: 'muted', text: t('loading') }));
  let chans, g;
  try {
    [chans, g] = await Promise.all([api('GET', 'channels'), id ? api('GET', idPath(id)) : null]);
  } catch (err) {
    clear(main, h('p', { class: 'form-error', role: 'alert', text: err.message }));
    return;
  }
  g = g || { mode: 'round_robin', members: [] };
  const ro = g.source === 'caddyfile';
  // Store groups may only use store channels; Caddyfile ones are listed disabled.
  const usable = chans.filter(c => ro || c.source !== 'caddyfile');

  const name = h('input', { value: g.name || '', disabled: ro, autocomplete: 'off', spellcheck: 'false' });
  const mode = h('select', { disabled: ro }, modes.map(m => h('option', { value: m, selected: m === (g.mode || 'round_robin') }, t('mode.' + m))));
  const modeHelp = h('p', { class: 'hint', id: 'mode-help' });
  mode.setAttribute('aria-describedby', 'mode-help');
  const maxAttempts = h('input', { type: 'number', min: 0, step: 1, value: g.max_attempts || 0, disabled: ro, class: 'short' });
  const rows = h('div', { class: 'member-rows' });

  const renumber = () => {
    if (mode.value !== 'failover') return;
    [...rows.children].forEach((r, i) => { r.prio.value = i + 1; });
  };
  const addRow = m => {
    const ch = h('select', { 'aria-label': t('gr.channel'), disabled: ro },
      h('option', { value: '', text: t('gr.pickChannel') }),
      (ro ? chans : usable).map(c => h('option', { value: c.name, selected: c.name === m.channel }, c.name)));
    if (m.channel && !chans.some(c => c.name === m.channel)) ch.append(h('option', { value: m.channel, selected: true }, m.channel));
    const dlId = 'dl-' + Math.random().toString(36).slice(2);
    const dl = h('datalist', { id: dlId });
    const model = h('input', { value: m.model || '', placeholder: t('gr.model'), 'aria-label': t('gr.model'), list: dlId, disabled: ro, spellcheck: 'false', autocomplete: 'off' });
    const fillModels = () => {
      const c = chans.find(x => x.name === ch.value);
      dl.replaceChildren(...((c && c.models) || []).map(v => h('option', { value: v })));
      if (!model.value && c && c.models && c.models.length === 1) model.value = c.models[0];
    };
    ch.addEventListener('change', fillModels);
    fillModels();
    const prio = h('input', { type: 'number', step: 1, value: m.priority ?? 0, 'aria-label': t('gr.priority'), title: t('gr.priority'), disabled: ro, class: 'num' });
    const weight = h('input', { type: 'number', min: 1, step: 1, value: m.weight || 1, 'aria-label': t('gr.weight'), title: t('gr.weight'), disabled: ro, class: 'num' });
    const move = d => () => {
      const sib = d < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (!sib) return;
      if (d < 0) sib.before(row); else sib.after(row);
      renumber();
    };
    // The row is draggable only while the grip is held, so text in its
    // inputs can still be selected with the mouse.
    const grip = ro ? null : h('span', { class: 'grip', title: t('gr.drag'), 'aria-hidden': 'true', text: '⠿',
      onmousedown: () => { row.draggable = true; }, onmouseup: () => { row.draggable = false; } });
    const row = h('div', { class: 'member' + (m.missing ? ' missing' : ''), dataset: { channel: m.channel || '', model: m.model || '' } },
      h('div', { class: 'field member-ch' }, h('div', { class: 'row' }, grip, m.channel ? healthDot(m, chans) : null, ch), h('p', { class: 'field-error', role: 'alert', hidden: true })),
      h('div', { class: 'field' }, model, dl, h('p', { class: 'field-error', role: 'alert', hidden: true })),
      h('label', { class: 'mini prio-col' }, h('span', { text: t('gr.priority') }), prio),
      h('label', { class: 'mini weight-col' }, h('span', { text: t('gr.weight') }), weight),
      ro ? null : h('div', { class: 'move' },
        h('button', { type: 'button', class: 'btn icon', text: '↑', 'aria-label': t('gr.up'), title: t('gr.up'), onclick: move(-1) }),
        h('button', { type: 'button', class: 'btn icon', text: '↓', 'aria-label': t('gr.down'), title: t('gr.down'), onclick: move(1) }),
        h('button', { type: 'button', class: 'btn icon', text: '×', 'aria-label': t('remove'), title: t('remove'), onclick: () => row.remove() })),
      m.missing ? h('p', { class: 'hint warn', text: t('gr.missingHint') }) : null);
    Object.assign(row, { ch, model, prio, weight });
    if (!ro) dragAndDrop(row, rows, renumber);
    rows.append(row);
    return ch;
  };
  (g.members && g.members.length ? g.members : [{}]).forEach(addRow);

  const onMode = () => {
    modeHelp.textContent = t('modeHelp.' + mode.value);
    rows.dataset.mode = mode.value; // CSS shows priority or weight as the mode uses them
  };
  mode.addEventListener('change', () => { onMode(); renumber(); });
  onMode();

  // Member errors name an index; label each row's fields with its current index before sending.
  const members = () => {
    const out = [];
    for (const r of rows.children) {
      const [cf, mf] = r.querySelectorAll('.field');
      if (!r.ch.value && !r.model.value.trim()) { cf.dataset.field = mf.dataset.field = ''; continue; }
      const i = out.length;
      cf.dataset.field = `members[${i}].channel`;
      mf.dataset.field = `members[${i}].model`;
      r.dataset.field = `members[${i}]`;
      out.push({ channel: r.ch.value, model: r.model.value.trim(), priority: Number(r.prio.value) || 0, weight: Number(r.weight.value) || 1 });
    }
    return out;
  };

  const save = h('button', { type: 'submit', class: 'btn primary', text: t('save') });
  const form = h('form', { class: 'card form', novalidate: true },
    errorBox(),
    ro ? h('p', { class: 'notice', text: t('gr.readonly') }) : null,
    field(t('name'), name, { name: 'name', hint: t('gr.nameHint') }),
    h('div', { class: 'field', dataset: { field: 'mode' } }, h('label', { for: mode.id = 'mode', text: t('gr.mode') }), mode, modeHelp, h('p', { class: 'field-error', role: 'alert', hidden: true })),
    field(t('gr.maxAttempts'), maxAttempts, { name: 'max_attempts', hint: t('gr.maxAttemptsHint') }),
    h('fieldset', { class: 'group', dataset: { field: 'members' } }, h('legend', { text: t('gr.members') }),
      h('p', { class: 'hint', text: ro ? t('gr.orderHint') : t('gr.dragHint') }),
      h('p', { class: 'field-error', role: 'alert', hidden: true }),
      rows,
      ro ? null : h('button', { type: 'button', class: 'btn small', text: '+ ' + t('gr.addMember'), onclick: () => { addRow({ priority: rows.children.length + 1 }).focus(); } })),
    h('div', { class: 'actions sticky' }, h('a', { class: 'btn', href: '#/groups', text: ro ? t('back') : t('cancel') }), ro ? null : save));

  form.addEventListener('submit', e => {
    e.preventDefault();
    if (ro) return;
    clearErrors(form);
    const body = { name: name.value.trim(), mode: mode.value, max_attempts: Number(maxAttempts.value) || 0, members: members() };
    busy(save, async () => {
      try {
        if (id) await api('PUT', idPath(id), body); else await api('POST', 'groups', body);
        go('#/groups');
      } catch (err) { showError(form, err); }
    });
  });

  clear(main, h('div', { class: 'page-head' }, h('h1', { text: id ? g.name : t('gr.new') }), ro ? badge(t('src.caddyfile'), 'src') : null), form);
}

// dragAndDrop lets a member row be dragged above or below another row
// (HTML5 drag and drop); the arrow buttons stay for keyboards and touch.
let dragged = null;
function dragAndDrop(row, rows, renumber) {
  const mark = (el, cls) => { for (const r of rows.children) r.classList.remove('drop-before', 'drop-after'); if (el && cls) el.classList.add(cls); };
  const after = (e, el) => { const b = el.getBoundingClientRect(); return e.clientY > b.top + b.height / 2; };
  row.addEventListener('dragstart', e => {
    dragged = row;
    row.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', ''); // Firefox starts a drag only with data
  });
  row.addEventListener('dragend', () => { row.classList.remove('dragging'); row.draggable = false; dragged = null; mark(); });
  row.addEventListener('dragover', e => {
    if (!dragged || dragged === row || dragged.parentNode !== rows) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    mark(row, after(e, row) ? 'drop-after' : 'drop-before');
  });
  row.addEventListener('drop', e => {
    if (!dragged || dragged === row || dragged.parentNode !== rows) return;
    e.preventDefault();
    if (after(e, row)) row.after(dragged); else row.before(dragged);
    mark();
    renumber();
  });
}
