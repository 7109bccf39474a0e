// The password fields in a real browser (ASVS 4.0.3 2.1.12 and 2.1.8): every password input has
// a show/hide button that reveals and masks the value again, and the forms that set a new
// password have a meter that follows the typing. Each page is checked with axe-core at desktop
// and phone widths.
//
// Expected texts are the catalogs' (crates/web/locales/*.toml) with the counts worked out here.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, startServer } from './lib/server.mjs';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const MIDWIFE_ID = 'B200456784';

// "marigold" is 8 characters; the whole passphrase is 8 + 1 + 8 + 1 + 6 + 1 + 5 = 30 characters
// with 16 different ones (m a r i g o l d, space, t p e s y, k, f), so it passes the length
// and is not "mostly repetition" (fewer than 6 different characters).
const FIRST_WORD = 'marigold';
const REST = ' tapestry kettle ferry';
const EMPTY_ZH = '尚未輸入密碼，至少需要 12 個字元。';
const SHORT_ZH = '太短：已輸入 8 個字元，至少需要 12 個。';
const OK_ZH = '長度已達 12 個字元（30 個），字元有變化。';
// 12 characters but only 3 different ones (a, b, c).
const REPETITIVE = 'abcabcabcabc';
const WEAK_ZH = '長度已達 12 個字元（12 個），但重複的字元很多，容易被猜到。';

let server;
let browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startServer({ demoMembers: 20 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function freshPage(viewport) {
  await browser.context.clearCookies();
  return newWatchedPage(browser.context, viewport);
}

async function checkPage(page, label) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, describeViolations(label, violations));
  assert.deepEqual(page.problems, [], `the browser reported problems:\n${page.problems.join('\n')}`);
  await page.screenshot({ path: join(ARTIFACTS, `${label.replace(/\W+/g, '-')}.png`), fullPage: true });
}

function toggleFor(page, inputId, name) {
  return page.locator('.password-row').filter({ has: page.locator(`#${inputId}`) }).getByRole('button', { name });
}

/** Clicks the field's button twice: the value shows, then is masked again. */
async function checkToggle(page, inputId, name) {
  const input = page.locator(`#${inputId}`);
  const button = toggleFor(page, inputId, name);
  await input.fill('correct horse');
  assert.equal(await input.getAttribute('type'), 'password');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await button.click();
  assert.equal(await input.getAttribute('type'), 'text');
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  assert.equal(await input.inputValue(), 'correct horse', 'revealing keeps what was typed');
  await button.click();
  assert.equal(await input.getAttribute('type'), 'password');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  const box = await button.boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `touch target ${box.width}x${box.height}`);
  await input.fill('');
}

/** The page does not scroll sideways: nothing is wider than the window. */
async function assertNoSidewaysScroll(page) {
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `page is ${widths[0]}px wide in a ${widths[1]}px window`);
}

async function meterText(page) {
  return (await page.locator('#password-meter').textContent()).trim();
}

async function signIn(page) {
  const account = server.accounts.get(MIDWIFE_ID);
  assert.ok(account, `no demo account ${MIDWIFE_ID}:\n${server.log()}`);
  await page.goto(`${server.url}/login`);
  await page.locator('#id_number').fill(MIDWIFE_ID);
  await page.locator('#password').fill(account.password);
  await page.locator('#captcha').fill(CAPTCHA_ANSWER);
  await page.getByRole('button', { name: '登入', exact: true }).click();
  await page.waitForURL(`${server.url}/member`);
}

const VIEWPORTS = [[DESKTOP, 'desktop'], [PHONE, 'phone']];

describe('password fields in Chromium', () => {
  test('member and operator sign-in: the password can be shown and masked again', async () => {
    for (const [viewport, width] of VIEWPORTS) {
      for (const path of ['/login', '/ops/login']) {
        const page = await freshPage(viewport);
        await page.goto(`${server.url}${path}`);
        await checkToggle(page, 'password', '顯示密碼');
        assert.equal(await page.locator('#password-meter').count(), 0, 'no meter where no new password is set');
        await assertNoSidewaysScroll(page);
        await checkPage(page, `password toggle ${path} ${width}`);
        await page.close();
      }
    }
  });

  test('register: both fields have the button and the meter follows the typing', async () => {
    for (const [viewport, width] of VIEWPORTS) {
      const page = await freshPage(viewport);
      await page.goto(`${server.url}/register`);
      await checkToggle(page, 'password', '顯示密碼');
      await checkToggle(page, 'password_again', '顯示密碼');
      assert.equal(await page.locator('#password-meter').getAttribute('aria-live'), 'polite');
      assert.equal(await meterText(page), EMPTY_ZH);

      await page.locator('#password').pressSequentially(FIRST_WORD);
      assert.equal(await meterText(page), SHORT_ZH);
      await page.locator('#password').pressSequentially(REST);
      assert.equal(await meterText(page), OK_ZH);
      assert.match(await page.locator('.password-meter').textContent(), /送出時伺服器會再檢查/);
      await assertNoSidewaysScroll(page);
      await checkPage(page, `password meter register ${width}`);

      await page.locator('#password').fill(REPETITIVE);
      assert.equal(await meterText(page), WEAK_ZH);
      await page.close();
    }
  });

  test('register in English: the button and the meter speak the page language', async () => {
    const page = await freshPage(DESKTOP);
    await page.goto(`${server.url}/lang?to=en&next=/register`);
    await page.waitForURL(`${server.url}/register`);
    await checkToggle(page, 'password', 'Show password');
    await page.locator('#password').pressSequentially(FIRST_WORD);
    assert.equal(await meterText(page), 'Too short: 8 characters typed, at least 12 needed.');
    await page.locator('#password').pressSequentially(REST);
    assert.equal(await meterText(page), 'At least 12 characters (30), with varied characters.');
    await checkPage(page, 'password meter register english');
    await page.close();
  });

  test('change password: the current password has the button, the new one the meter', async () => {
    for (const [viewport, width] of VIEWPORTS) {
      const page = await freshPage(viewport);
      await signIn(page);
      await page.goto(`${server.url}/member/password`);
      await checkToggle(page, 'current_password', '顯示密碼');
      await checkToggle(page, 'password', '顯示密碼');
      assert.equal(await page.locator('.password-meter').count(), 1, 'one meter, on the new password');
      await page.locator('#password').pressSequentially(FIRST_WORD + REST);
      assert.equal(await meterText(page), OK_ZH);
      await assertNoSidewaysScroll(page);
      await checkPage(page, `password change ${width}`);
      await page.close();
    }
  });
});

describe('password meter under a raised minimum', () => {
  let strict;
  before(async () => {
    strict = await startServer({ demoMembers: 0, settings: { HUZHU_PASSWORD_MIN_LENGTH: '16' } });
  });
  after(async () => {
    await strict?.stop();
  });

  test('the meter counts to the configured minimum, not to 12', async () => {
    const page = await freshPage(DESKTOP);
    await page.goto(`${strict.url}/register`);
    // "marigold kettle" is 8 + 1 + 6 = 15 characters: enough for 12, one short of 16.
    await page.locator('#password').pressSequentially('marigold kettle');
    assert.equal(await meterText(page), '太短：已輸入 15 個字元，至少需要 16 個。');
    // One more makes 16, with 13 different characters (m a r i g o l d, space, k e t, s).
    await page.locator('#password').pressSequentially('s');
    assert.equal(await meterText(page), '長度已達 16 個字元（16 個），字元有變化。');
    await page.close();
  });
});
