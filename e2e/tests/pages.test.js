// The dashboard, logs, prices and key view pages against a real gateway
// whose channel points at the fake provider (a real upstream process).
// Each variant (desktop/phone × en/zh-CN) sets up its own channel, group
// and keys over the API, and every test logs in by itself if needed, so
// the tests do not depend on one another. Screenshots in light and dark.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, adminAPI, relay, PASSWORD, repo } from '../lib/gateway.js';
import { launch, watch } from '../lib/browser.js';
import { en, zhCN } from '../../ui/dist/js/messages.js';

const artifacts = join(repo, 'e2e', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const viewports = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } };
const locales = { en, 'zh-CN': zhCN };
const MODEL = 'gpt-4o-mini';

let gw, admin;
before(async () => { gw = await startGateway(); admin = await adminAPI(gw); });
after(async () => { if (gw) await gw.stop(); });

// waitFor polls fn until it returns a truthy value (no fixed sleeps; the
// test runner's own timeout bounds it).
async function waitFor(fn) {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await new Promise(r => setTimeout(r, 100));
  }
}

// relayAndLog sends a request and returns its log row once written.
// The log row is found by its time, not by counting rows: the request log is
// written in batches, so an earlier request's row may land after this one
// started and would otherwise be taken for it. Gateway and test share the
// clock, and the row's time is when the gateway received the request.
async function relayAndLog(secret, group, keyName) {
  const t0 = Date.now() - 1; // the row's time is kept to the nanosecond; Date.now to the ms
  await relay(gw, secret, group);
  return waitFor(async () => {
    const { logs } = await admin('GET', 'logs?' + new URLSearchParams({ api_key: keyName, limit: '500' }));
    return logs.find(l => Date.parse(l.time) >= t0);
  });
}

for (const [vpName, viewport] of Object.entries(viewports)) {
  for (const [locale, msg] of Object.entries(locales)) {
    const tag = `${vpName}-${locale}`;
    const suffix = `p-${vpName}-${locale.toLowerCase()}`;
    const names = { channel: `fc-${suffix}`, channel2: `fc2-${suffix}`, group: `fg-${suffix}`, dragGroup: `fd-${suffix}`, key: `fk-${suffix}`, other: `fo-${suffix}` };
    describe(tag, () => {
      let b, page, secret, otherSecret, dragGroupID;
      const foreign = [];
      const consoleErrors = [];
      const shot = async name => {
        await page.emulateMedia({ colorScheme: 'light' });
        await page.screenshot({ path: join(artifacts, `${tag}-${name}.png`), fullPage: true });
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.screenshot({ path: join(artifacts, `${tag}-${name}-dark.png`), fullPage: true });
        await page.emulateMedia({ colorScheme: 'light' });
      };
      // open signs in and lands on the page (login returns to ?next=).
      const open = async hash => {
        await page.goto(gw.url + '#/login?next=' + encodeURIComponent(hash));
        await page.fill('input[name=password]', PASSWORD);
        await page.click('form.login button[type=submit]');
        await page.waitForURL(u => u.hash === hash);
      };

      before(async () => {
        const ch = await admin('POST', 'channels', { name: names.channel, type: 'openai_chat', base_url: gw.fakeURL + '/v1', keys: ['sk-fake-e2e-0001'], models: [MODEL] });
        await admin('POST', 'groups', { name: names.group, members: [{ channel: ch.name, model: MODEL }] });
        secret = (await admin('POST', 'api-keys', { name: names.key, models: [names.group], max_cost: 5 })).secret;
        otherSecret = (await admin('POST', 'api-keys', { name: names.other, models: [names.group] })).secret;
        await admin('POST', 'channels', { name: names.channel2, type: 'openai_chat', base_url: gw.fakeURL + '/v1', keys: ['sk-fake-e2e-0002'], models: [MODEL], enabled: false });
        dragGroupID = (await admin('POST', 'groups', { name: names.dragGroup, mode: 'failover', members: [
          { channel: names.channel, model: MODEL, priority: 1 }, { channel: names.channel2, model: MODEL, priority: 2 }] })).id;
        b = await launch({ viewport, locale });
        page = await b.context.newPage();
        watch(page, gw.url, foreign, consoleErrors);
      });
      after(async () => { if (b) await b.close(); });

      test('logs: a relayed request appears live, with its attempts', async () => {
        await open('#/logs');
        await page.locator('.badge.live.ok', { hasText: msg['lg.live'] }).waitFor();
        // A marker on window proves the row arrives without a reload.
        await page.evaluate(() => { window.__noReload = true; });
        await page.fill('input[name=group]', names.group);
        await page.click('form.filters button[type=submit]');
        await page.locator('.log-list .empty').waitFor();
        await relay(gw, secret, names.group);
        const row = page.locator(`.log-row.fresh[data-group="${names.group}"][data-key="${names.key}"]`);
        await row.waitFor({ timeout: 20000 });
        assert.equal(await page.evaluate(() => window.__noReload), true, 'page was not reloaded');
        assert.equal(await row.getAttribute('data-status'), '200');
        assert.equal(await row.getAttribute('data-key'), names.key);
        // Another key's request to the same group arrives too.
        await relay(gw, otherSecret, names.group);
        await page.locator(`.log-row.fresh[data-key="${names.other}"]`).waitFor({ timeout: 20000 });
        await shot('logs');
        await row.locator('button').click();
        const dlg = page.locator('dialog.modal');
        await dlg.locator('table.attempts td', { hasText: names.channel }).waitFor();
        assert.match(await dlg.textContent(), new RegExp(MODEL));
        assert.ok(!/null|undefined/.test(await dlg.textContent()), 'no placeholder text leaks');
        await shot('log-detail');
        await dlg.locator('.actions .btn').click();
      });

      test('dashboard: totals include the request, rankings name the channel', async () => {
        await relay(gw, secret, names.group);
        // The stats API counts unflushed usage at once; the page shows the same number.
        const today = new Date(); today.setHours(0, 0, 0, 0);
        const sum = await admin('GET', 'stats/summary?from=' + encodeURIComponent(today.toISOString()));
        assert.ok(sum.requests >= 1);
        await open('#/dashboard');
        const card = page.locator('[data-period=today]');
        await card.locator('dd').first().filter({ hasText: new Intl.NumberFormat(locale).format(sum.requests) }).waitFor();
        await page.locator('[data-ranking=channels] td', { hasText: names.channel }).waitFor();
        await page.locator('[data-ranking=models] td', { hasText: MODEL }).first().waitFor();
        assert.match(await page.locator('[data-testid=inflight]').textContent(), /^\d+$/);
        assert.ok(await page.locator('svg.chart rect.bar').count() > 0, 'trend bars drawn');
        assert.equal(await page.locator('svg.heatmap rect').count(), 7 * 24);
        await shot('dashboard');
      });

      test('prices: setting and editing a price changes the next request’s cost', async () => {
        await relay(gw, secret, names.group); // makes the model "seen"
        await open('#/prices');
        const item = page.locator(`[data-testid=unpriced] li[data-model="${MODEL}"][data-channel="${names.channel}"]`);
        await item.waitFor();
        await shot('prices-unpriced');
        await item.locator('button').click();
        const form = page.locator('dialog form.price-form');
        assert.equal(await form.locator('.field[data-field=channel] select').inputValue(), names.channel);
        // A failed save keeps what was typed and names the field.
        await form.locator('.field[data-field=input] input').fill('10');
        await form.locator('button[type=submit]').click();
        await form.locator('.field[data-field=output] .field-error:not([hidden])').waitFor();
        assert.equal(await form.locator('.field[data-field=input] input').inputValue(), '10');
        await form.locator('.field[data-field=output] input').fill('20');
        await form.locator('button[type=submit]').click();
        const priceRow = page.locator(`table.prices tr[data-channel="${names.channel}"][data-model="${MODEL}"]`);
        await priceRow.waitFor();
        const first = await relayAndLog(secret, names.group, names.key);
        assert.equal(first.unpriced, false);
        const expect1 = (first.input_tokens * 10 + first.output_tokens * 20) / 1e6;
        assert.ok(Math.abs(first.cost - expect1) < 1e-12, `cost ${first.cost}, want ${expect1}`);

        await priceRow.locator('button', { hasText: msg.edit }).click();
        await form.locator('.field[data-field=input] input').fill('40');
        await form.locator('.field[data-field=output] input').fill('80');
        await form.locator('button[type=submit]').click();
        await form.waitFor({ state: 'detached' });
        await page.locator(`table.prices tr[data-channel="${names.channel}"] td`, { hasText: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 4 }).format(40) }).waitFor();
        const second = await relayAndLog(secret, names.group, names.key);
        const expect2 = (second.input_tokens * 40 + second.output_tokens * 80) / 1e6;
        assert.ok(Math.abs(second.cost - expect2) < 1e-12, `cost ${second.cost}, want ${expect2}`);
        assert.ok(second.cost > first.cost, 'the new price applies');
        await shot('prices');
      });

      test('key view: a client key sees only its own usage', async () => {
        await relay(gw, secret, names.group);
        await relay(gw, otherSecret, names.group);
        await relay(gw, otherSecret, names.group);
        const mine = await admin('GET', 'stats/summary?api_key=' + encodeURIComponent(names.key));
        const kb = await launch({ viewport, locale });
        try {
          const kp = await kb.context.newPage();
          const origin = new URL(gw.url).origin;
          kp.on('request', r => { if (new URL(r.url()).origin !== origin) foreign.push(r.url()); });
          await kp.goto(gw.url + '#/login');
          await kp.locator('details.key-box summary').click();
          await kp.fill('input[name=api_key]', 'sk-not-a-key-000000');
          await kp.click('form.key-login button[type=submit]');
          await kp.locator('.key-login .field-error', { hasText: msg['kv.bad'] }).waitFor();
          await kp.fill('input[name=api_key]', secret);
          await kp.click('form.key-login button[type=submit]');
          await kp.waitForURL(/#\/key$/);
          await kp.locator('h1', { hasText: names.key }).waitFor();
          const usage = kp.locator('[data-testid=key-usage] .stat dd').first();
          await usage.filter({ hasText: new Intl.NumberFormat(locale).format(mine.requests) }).waitFor();
          const text = await kp.locator('main').textContent();
          assert.ok(!text.includes(names.other), 'another key is not shown');
          assert.ok(!text.includes(secret), 'the secret is not shown');
          assert.match(await kp.locator('[data-testid=key-info]').textContent(), /5/); // max_cost
          assert.equal(await kp.locator('header nav').count(), 0, 'no admin navigation');
          // The key opens nothing else: admin routes refuse it.
          const res = await fetch(gw.url + 'api/v1/channels', { headers: { Authorization: 'Bearer ' + secret } });
          assert.equal(res.status, 401);
          for (const scheme of ['light', 'dark']) {
            await kp.emulateMedia({ colorScheme: scheme });
            await kp.screenshot({ path: join(artifacts, `${tag}-keyview${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
          }
        } finally { await kb.close(); }
      });

      test('groups: members show their health and reorder by drag and drop', async () => {
        await open('#/groups');
        const card = page.locator(`article[data-name="${names.dragGroup}"]`);
        await card.locator('.hint', { hasText: msg['modeHelp.failover'] }).waitFor();
        // The enabled channel is healthy, the disabled one is not.
        assert.deepEqual(await card.locator('.health-dot').evaluateAll(els => els.map(e => e.dataset.health)), ['ok', 'bad']);
        await shot('groups-health');
        await open(`#/groups/${dragGroupID}`);
        const rows = page.locator('.member');
        await rows.nth(1).locator('.grip').dragTo(rows.nth(0), { targetPosition: { x: 20, y: 3 } });
        assert.deepEqual(await rows.evaluateAll(els => els.map(e => e.dataset.channel)), [names.channel2, names.channel]);
        await shot('group-drag');
        await page.click('form button[type=submit]');
        await page.waitForURL(/#\/groups$/);
        const g = await admin('GET', `groups/${dragGroupID}`);
        assert.deepEqual(g.members.map(m => [m.channel, m.priority]), [[names.channel2, 1], [names.channel, 2]]);
      });

      test('settings: with body recording on, the log detail shows the bodies', async () => {
        await open('#/settings');
        const form = page.locator('[data-testid=log-settings]');
        const box = form.locator('input[name=log_bodies]');
        await page.waitForFunction(() => document.querySelector('[data-testid=log-settings] input[name=log_bodies]'));
        try {
          if (!(await box.isChecked())) await box.check();
          await form.locator('button[type=submit]').click();
          await form.locator('.success', { hasText: msg['st.saved'] }).waitFor();
          assert.equal((await admin('GET', 'settings')).log_bodies, 'on');
          await shot('settings-logs');
          const row = await relayAndLog(secret, names.group, names.key);
          await open('#/logs');
          await page.locator(`.log-row[data-key="${names.key}"] button`).first().click();
          const dlg = page.locator('dialog.modal');
          await dlg.locator('details[data-body=request] pre', { hasText: 'Hello from the browser tests' }).waitFor();
          await dlg.locator('details[data-body=response] pre').waitFor();
          assert.ok(row.request_body === undefined, 'the list leaves the bodies out');
          await shot('log-bodies');
          await dlg.locator('.actions .btn').click();
        } finally {
          await admin('PUT', 'settings', { log_bodies: 'off' });
        }
      });

      test('the pages only talked to their own origin, without script errors', () => {
        assert.deepEqual(foreign, []);
        assert.deepEqual(consoleErrors.filter(e => !/status of 40[01]/.test(e)), []);
      });
    });
  }
}
