// Launches Debian's Chromium through playwright-core, each time with a
// fresh profile directory (--user-data-dir), so no state leaks between runs.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * launch starts Chromium with the given viewport and locale and returns
 * its browser context; close() also removes the profile.
 */
export async function launch({ viewport, locale }) {
  const profile = mkdtempSync(join(tmpdir(), 'octopus-e2e-chrome-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args, viewport, locale,
    colorScheme: 'light', deviceScaleFactor: 1, isMobile: false,
  });
  context.setDefaultTimeout(10000);
  return {
    context,
    async close() { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/**
 * watch collects what a page must never do: requests to any origin but
 * the gateway's own (into foreign) and console or uncaught errors (into
 * errors).
 */
export function watch(page, gatewayURL, foreign, errors) {
  const origin = new URL(gatewayURL).origin;
  page.on('request', r => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.origin !== origin) foreign.push(r.url());
  });
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
}
