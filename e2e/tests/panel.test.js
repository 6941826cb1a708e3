// Drives the admin panel in Chromium against a real gateway: login,
// creating a channel, a group and an API key, the read-only Caddyfile
// channel, session loss, and that the page only talks to its own origin.
// Every scenario runs at desktop and phone size, in English and Chinese.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, relay, PASSWORD, CADDYFILE_CHANNEL, repo } from '../lib/gateway.js';
import { launch, watch } from '../lib/browser.js';
import { en, zhCN } from '../../ui/dist/js/messages.js';

const artifacts = join(repo, 'e2e', 'artifacts');
mkdirSync(artifacts, { recursive: true });

const viewports = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } };
const locales = { en, 'zh-CN': zhCN };

let gw;
before(async () => { gw = await startGateway(); });
after(async () => { if (gw) await gw.stop(); });

for (const [vpName, viewport] of Object.entries(viewports)) {
  for (const [locale, msg] of Object.entries(locales)) {
    const tag = `${vpName}-${locale}`;
    // Names are unique per variant: all variants share one database.
    const suffix = `${vpName}-${locale.toLowerCase()}`;
    describe(tag, () => {
      let b, page;
      const foreign = [];
      const consoleErrors = [];
      // Each screenshot in the light and the dark theme.
      const shot = async name => {
        await page.screenshot({ path: join(artifacts, `${tag}-${name}.png`), fullPage: true });
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.screenshot({ path: join(artifacts, `${tag}-${name}-dark.png`), fullPage: true });
        await page.emulateMedia({ colorScheme: 'light' });
      };

      before(async () => {
        b = await launch({ viewport, locale });
        page = await b.context.newPage();
        watch(page, gw.url, foreign, consoleErrors);
      });
      after(async () => { if (b) await b.close(); });

      test('login: a wrong password shows an error, the right one lands on the Dashboard', async () => {
        await page.goto(gw.url);
        await page.waitForURL(/#\/login/);
        assert.equal(await page.locator('html').getAttribute('lang'), locale);
        await page.fill('input[name=password]', 'not-the-password');
        await page.click('button[type=submit]');
        await page.locator('.form-error').filter({ hasText: msg['login.bad'] }).waitFor();
        await shot('login-error');
        await page.fill('input[name=password]', PASSWORD);
        await page.click('button[type=submit]');
        await page.waitForURL(/#\/dashboard$/);
        await page.locator('h1', { hasText: msg['nav.dashboard'] }).waitFor();
        await page.locator('a', { hasText: msg['nav.channels'] }).click();
        await page.waitForURL(/#\/channels$/);
        await page.locator(`article[data-name="${CADDYFILE_CHANNEL}"]`).waitFor();
        await shot('channels');
      });

      test('the Caddyfile channel is read-only', async () => {
        const card = page.locator(`article[data-name="${CADDYFILE_CHANNEL}"]`);
        await card.locator('.badge.src', { hasText: msg['src.caddyfile'] }).waitFor();
        assert.equal(await card.locator('.btn.danger').count(), 0, 'no delete button');
        assert.equal(await card.locator('a.btn', { hasText: msg.edit }).count(), 0, 'no edit link');
        await card.locator('a.btn', { hasText: msg.view }).click();
        await page.locator('.notice', { hasText: msg['ch.readonly'] }).waitFor();
        assert.equal(await page.locator('form button[type=submit]').count(), 0, 'no save button');
        assert.ok(await page.locator('.field[data-field=name] input').isDisabled(), 'name disabled');
        assert.ok(await page.locator('.field[data-field=keys] input').first().isDisabled(), 'keys disabled');
        // Testing still works; the upstream is a closed port, so it reports an error.
        await page.locator('.test-box button').click();
        await page.locator('.test-box .test-result.bad').waitFor({ timeout: 20000 });
        await shot('channel-readonly');
      });

      test('create a channel', async () => {
        await page.goto(gw.url + '#/channels/new');
        await page.locator('.field[data-field=type] select').selectOption('openai_chat');
        await page.click('form button[type=submit]');
        // Nothing typed: the server refuses, the message sits by a field or the form.
        await page.locator('.field-error:not([hidden]), .form-error:not([hidden])').first().waitFor();
        await page.fill('.field[data-field=name] input', `ch-${suffix}`);
        await page.fill('.field[data-field=base_url] input', gw.fakeURL + '/v1');
        await page.fill('.field[data-field=keys] input', 'sk-e2e-secret-key-1234');
        const models = page.locator('.field[data-field=models] .tag-input input');
        await models.fill('gpt-4o-mini');
        await models.press('Enter');
        await page.locator('.chip', { hasText: 'gpt-4o-mini' }).waitFor();
        await shot('channel-form');
        await page.click('form button[type=submit]');
        await page.waitForURL(/#\/channels$/);
        const card = page.locator(`article[data-name="ch-${suffix}"]`);
        await card.waitFor();
        assert.match(await card.textContent(), /gpt-4o-mini/);
      });

      test('create a group', async () => {
        await page.goto(gw.url + '#/groups/new');
        await page.fill('.field[data-field=name] input', `grp-${suffix}`);
        await page.locator('.field[data-field=mode] select').selectOption('failover');
        await page.locator('#mode-help', { hasText: msg['modeHelp.failover'] }).waitFor();
        // The Caddyfile channel is not offered: store groups cannot use it.
        const opts = await page.locator('.member select option').allTextContents();
        assert.ok(!opts.includes(CADDYFILE_CHANNEL), 'caddyfile channel not offered');
        await page.locator('.member select').selectOption(`ch-${suffix}`);
        await page.locator('.member input[list]').fill('gpt-4o-mini');
        await shot('group-form');
        await page.click('form button[type=submit]');
        await page.waitForURL(/#\/groups$/);
        const card = page.locator(`article[data-name="grp-${suffix}"]`);
        await card.waitFor();
        assert.match(await card.textContent(), new RegExp(`ch-${suffix} / gpt-4o-mini`));
        await shot('groups');
      });

      test('create an API key: the secret is shown once', async () => {
        await page.goto(gw.url + '#/api-keys/new');
        await page.fill('.field[data-field=name] input', `key-${suffix}`);
        const models = page.locator('.field[data-field=models] .tag-input input');
        await models.fill(`grp-${suffix}`);
        await models.press('Enter');
        await page.fill('.field[data-field=max_cost] input', '12.5');
        await page.click('form button[type=submit]');
        const secret = page.locator('dialog .secret');
        await secret.waitFor();
        const secretValue = await secret.inputValue();
        assert.match(secretValue, /^sk-octo-/);
        await page.locator('dialog .btn.primary').click();
        await page.locator('dialog [role=status]', { hasText: msg.copied }).waitFor();
        await shot('apikey-secret');
        await page.locator('dialog .actions .btn').click();
        await page.waitForURL(/#\/api-keys$/);
        const card = page.locator(`article[data-name="key-${suffix}"]`);
        await card.waitFor();
        const text = await card.textContent();
        assert.match(text, /12[.,]5/);
        assert.ok(!/sk-octo-[A-Za-z0-9_-]{20,}/.test(text), 'secret not listed in full');
        // The key, group and channel made in the UI serve a request (the fake provider answers).
        const answer = await relay(gw, secretValue, `grp-${suffix}`);
        assert.ok(answer.choices[0].message.content, 'the upstream answered');
        await shot('apikeys');
      });

      test('a lost session goes to login and back to the page', async () => {
        await page.goto(gw.url + '#/settings');
        await page.locator('h1', { hasText: msg['nav.settings'] }).waitFor();
        // The Caddyfile's options are shown with the values in force.
        await page.locator('[data-option=price_sync]', { hasText: 'off' }).waitFor();
        assert.equal(await page.locator('[data-option=stats_flush_interval]').textContent(), '5m0s');
        await shot('settings');
        await b.context.clearCookies();
        await page.goto(gw.url + '#/groups');
        await page.waitForURL(/#\/login\?next=/);
        await page.fill('input[name=password]', PASSWORD);
        await page.click('button[type=submit]');
        await page.waitForURL(/#\/groups$/);
        await page.locator(`article[data-name="grp-${suffix}"]`).waitFor();
      });

      test('the page only talked to its own origin, without script errors', () => {
        assert.deepEqual(foreign, []);
        // 401 answers are logged by Chromium as failed loads; they are expected.
        assert.deepEqual(consoleErrors.filter(e => !/status of 40[01]/.test(e)), []);
      });
    });
  }
}
