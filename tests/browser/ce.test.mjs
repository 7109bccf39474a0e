// 查詢護產積分 in a real browser: reached from the home page's link as the manual says, the
// manual nurse's figures, the filters, a date typed wrong, the CSV export, and accessibility
// (axe-core, WCAG 2.1 A and AA) at desktop and phone widths, with screenshots. No console error
// or Content-Security-Policy violation is allowed, so the server-drawn SVG chart must do
// without inline styles.
//
// Figures (crates/demo/src/showcase.rs, `manual_nurse`): 71.50 of 120 counted in the window
// 2021-05-31 … 2027-05-30; categories 2–4 at 14.80; of her records in the window two are ethics
// (2022-12-03, 2.00; 2024-03-09, 2.40). Her practice ceased (歇業) on 2024-06-30.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, huzhuBin, startServer } from './lib/server.mjs';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const NURSE_ID = 'A200123458';

const squash = (text) => text.replace(/\s+/g, ' ').trim();
const textOf = async (locator) => squash(await locator.textContent());

/** "71.50" → 7150: points are added as whole hundredths, as the portal does. */
const hundredths = (text) => {
  const [whole, fraction = '0'] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};

let server;
let browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedInPage(viewport) {
  await browser.context.clearCookies();
  const page = await newWatchedPage(browser.context, viewport);
  const account = server.accounts.get(NURSE_ID);
  assert.ok(account, `no demo account ${NURSE_ID}:\n${server.log()}`);
  await page.goto(`${server.url}/login`);
  await page.locator('#id_number').fill(NURSE_ID);
  await page.locator('#password').fill(account.password);
  await page.locator('#captcha').fill(CAPTCHA_ANSWER);
  await page.getByRole('button', { name: '登入', exact: true }).click();
  await page.waitForURL(`${server.url}/member`);
  return page;
}

async function submitFilters(page) {
  await page.evaluate(() => { window.huzhuOldDocument = true; });
  await page.getByRole('button', { name: '查詢', exact: true }).click();
  await page.waitForFunction(() => !window.huzhuOldDocument && document.readyState === 'complete');
}

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `the browser reported problems:\n${page.problems.join('\n')}`);
}

async function assertFitsWidth(page, width) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide in a ${width} px window`);
}

describe(`查詢護產積分 in Chromium (${huzhuBin})`, () => {
  test('the home page link leads to the summary, the records and the CSV with the same total', async () => {
    const page = await signedInPage(DESKTOP);
    const home = squash(await page.getByTestId('points').textContent());
    await page.getByRole('link', { name: '前往查詢護產積分' }).click();
    await page.waitForURL(`${server.url}/member/ce`);

    assert.equal(await textOf(page.getByRole('heading', { level: 1 })), '查詢護產積分');
    assert.equal(await textOf(page.getByTestId('ce-points')), '71.50 / 120.00');
    assert.equal(await textOf(page.getByTestId('ce-points')), home, 'the home page shows the same number');
    assert.match(await textOf(page.getByTestId('ce-other')), /^14\.80 點/);
    assert.match(await textOf(page.getByTestId('ce-missing')), /^還差 48\.50 點.*以前完成。$/);

    // The chart: an image with a name and a description, drawn without inline styles.
    const chart = page.getByRole('img', { name: /各類別積分與換照所需/ });
    assert.ok(await chart.isVisible(), 'the chart is shown');
    assert.equal(await page.locator('[style]').count(), 0, 'no element carries a style attribute');

    // 歇業: her ways back are worked out.
    assert.match(await textOf(page.getByTestId('ce-return')), /您於 113年06月30日 歇業/);

    // Two ethics records in the window.
    await page.locator('#category').selectOption('ethics');
    await submitFilters(page);
    assert.match(await textOf(page.getByTestId('ce-count')), /^共 2 筆/);
    assert.equal(await page.locator('.ce-records tbody tr').count(), 2);

    // The CSV of the whole window adds up to the same 71.50.
    await page.locator('#category').selectOption('');
    await submitFilters(page);
    const href = await page.getByTestId('ce-csv').getAttribute('href');
    const response = await page.request.get(`${server.url}${href}`);
    assert.equal(response.status(), 200);
    const body = await response.text();
    assert.ok(body.startsWith('\uFEFF'), 'the CSV starts with a byte-order mark');
    const rows = body.slice(1).split('\r\n').filter(Boolean).slice(1).map((line) => line.split(','));
    const counted = rows.reduce((sum, row) => sum + hundredths(row[11]), 0);
    assert.equal(counted, 7150);

    assertNoProblems(page);
    await page.close();
  });

  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`no WCAG 2.1 A/AA violations on the CE page at ${width} width`, async (t) => {
      const page = await signedInPage(viewport);
      const check = async (label, shot) => {
        await t.test(label, async () => {
          await page.screenshot({ path: join(ARTIFACTS, `${shot}-${width}.png`), fullPage: true });
          const violations = await axeViolations(page);
          assert.equal(violations.length, 0, describeViolations(`${label} at ${width} width`, violations));
          await assertFitsWidth(page, viewport.width);
        });
      };

      await page.goto(`${server.url}/member/ce?period=all`);
      await check('CE page with every record', 'ce');

      // A date typed wrong is explained next to its field and kept.
      await page.locator('#period').selectOption('custom');
      await page.locator('#from').fill('113/13/01');
      await submitFilters(page);
      assert.match(await textOf(page.locator('#from-error')), /日期格式不正確/);
      assert.equal(await page.locator('#from').inputValue(), '113/13/01');
      await check('CE page with a date error', 'ce-date-error');

      assertNoProblems(page);
      await page.close();
    });
  }
});
