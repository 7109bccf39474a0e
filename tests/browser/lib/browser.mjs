// Debian's Chromium driven by playwright-core: never a browser downloaded by a test tool.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// The network here is closed but for loopback: without these flags Chromium keeps trying to
// reach Google's services in the background, and on this kind of machine those attempts are
// refused many at a time.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a new, empty profile folder. Returns { context, close() }. */
export async function launch() {
  const userDataDir = await mkdtemp(join(tmpdir(), 'huzhu-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: DESKTOP,
    locale: 'zh-TW',
    timezoneId: 'Asia/Taipei',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new tab that records every console error, uncaught page error and failed request: a
 * Content-Security-Policy violation shows up as a console error, so this also catches any
 * inline script or style, or a resource from elsewhere, that the policy blocked.
 */
export async function newWatchedPage(context, viewport = DESKTOP) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location();
      problems.push(`console error on ${page.url()}: ${message.text()}` +
        (where && where.url ? ` (${where.url}:${where.lineNumber})` : ''));
    }
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.problems = problems;
  return page;
}
