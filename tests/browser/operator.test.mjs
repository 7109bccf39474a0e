// The operator area in a real browser: an operator made with `huzhu operator add` signs in with
// her password and a TOTP code (computed here from RFC 6238 with node's HMAC), publishes a
// notice and a quote, finds a member's account and reads the audit log; a member then sees
// the notice on her home page. Every operator page is checked with axe-core (WCAG 2.1 AA) at
// desktop and phone widths and photographed.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, environmentWithoutHuzhuSettings, huzhuBin, startServer } from './lib/server.mjs';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const OPERATOR = 'ops.lin';
// The manual nurse of the demo data (crates/demo/src/showcase.rs).
const NURSE = { id: 'A200123458', password: 'Huzhu-demo-2026!' };
const NOTICE = '護理人員執業登記線上申辦說明';
const QUOTE = '照顧別人之前，先照顧好自己';

let server;
let browser;
let enrolment;

/** Runs `huzhu operator add` on the test server's data folder and reads what it prints. */
async function addOperator(dataDir) {
  const { stdout } = await promisify(execFile)(huzhuBin, ['operator', 'add', OPERATOR], {
    env: { ...environmentWithoutHuzhuSettings(), HUZHU_DATA_DIR: dataDir },
  });
  const password = /^Password \(shown once\): (\S+)$/m.exec(stdout)?.[1];
  const uri = /^(otpauth:\/\/totp\/\S+)$/m.exec(stdout)?.[1];
  assert.ok(password && uri, `the command prints a password and an otpauth address:\n${stdout}`);
  const secret = new URL(uri).searchParams.get('secret');
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit key in base32');
  return { password, secret };
}

/** RFC 4648 base32 to bytes. */
function base32Bytes(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP, SHA-1, 6 digits, 30-second steps, at `seconds` since the epoch. */
function totp(secret, seconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const hash = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const offset = hash[19] & 0x0f;
  const value = hash.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startServer();
  enrolment = await addOperator(server.dataDir);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function clickAndWaitForNewDocument(page, locator) {
  await page.evaluate(() => { window.huzhuOldDocument = true; });
  await locator.click();
  await page.waitForFunction(() => !window.huzhuOldDocument && document.readyState === 'complete');
}

/** axe-clean and no browser problem, at desktop and then phone width; a picture of each. */
async function checkBothWidths(page, label) {
  for (const [viewport, width] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    await page.setViewportSize(viewport);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(`${label} ${width}`, violations));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, `${label} ${width}: the page is wider than the screen`);
    assert.deepEqual(page.problems, [], `the browser reported problems:\n${page.problems.join('\n')}`);
    await page.screenshot({ path: join(ARTIFACTS, `ops-${label.replace(/\W+/g, '-')}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

describe('the operator area in Chromium', () => {
  test('an operator signs in with a TOTP code, publishes a notice, and a member sees it', async () => {
    await browser.context.clearCookies();
    const page = await newWatchedPage(browser.context, DESKTOP);
    await page.goto(`${server.url}/ops`);
    assert.equal(page.url(), `${server.url}/ops/login`, 'no operator session: the sign-in page');
    await checkBothWidths(page, 'login');

    // A wrong code first: the calm failure message, nothing else said.
    await page.locator('#username').fill(OPERATOR);
    await page.locator('#password').fill(enrolment.password);
    const right = totp(enrolment.secret, Date.now() / 1000);
    await page.locator('#code').fill(String((Number(right) + 500_000) % 1_000_000).padStart(6, '0'));
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登入' }));
    assert.match(await page.getByRole('alert').textContent(), /登入失敗/);
    await checkBothWidths(page, 'login failed');

    await page.locator('#password').fill(enrolment.password);
    await page.locator('#code').fill(totp(enrolment.secret, Date.now() / 1000));
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登入' }));
    assert.equal(page.url(), `${server.url}/ops`);
    assert.match(await page.getByTestId('operator').textContent(), /ops\.lin/);
    await checkBothWidths(page, 'home');

    await clickAndWaitForNewDocument(page, page.getByRole('main').getByRole('link', { name: '首頁內容' }));
    assert.equal(page.url(), `${server.url}/ops/content/notice`);
    await checkBothWidths(page, 'notices');
    await page.locator('#f-title').fill(NOTICE);
    await page.locator('#f-body').fill('即日起可於線上申辦執業登記，請備妥相關文件。');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '發布' }));
    assert.match(await page.getByRole('status').textContent(), /已發布/);
    assert.match(await page.locator('main').textContent(), new RegExp(NOTICE));
    await checkBothWidths(page, 'notice published');

    await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '每日一句' }));
    await page.locator('#f-text').fill(QUOTE);
    await page.locator('#f-source').fill('護理箴言');
    await page.locator('#f-shown_from').fill('2000-01-01');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '發布' }));
    assert.match(await page.getByRole('status').textContent(), /已發布/);
    await checkBothWidths(page, 'quotes');

    // Bad input: each problem named next to its field, and the page still accessible.
    await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '快速連結' }));
    await page.locator('#f-title').fill('不安全的連結');
    await page.locator('#f-url').fill('javascript:alert(1)');
    await page.locator('#f-shown_from').fill('110/02/29');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '發布' }));
    assert.match(await page.locator('#f-url-error').textContent(), /https:\/\//);
    assert.match(await page.locator('#f-shown_from-error').textContent(), /日期無法辨識/);
    await checkBothWidths(page, 'link refused');

    await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '預覽' }));
    assert.match(await page.locator('main').textContent(), new RegExp(NOTICE));
    await checkBothWidths(page, 'preview');

    await clickAndWaitForNewDocument(page, page.getByRole('navigation', { name: '管理者功能' }).getByRole('link', { name: '會員帳號' }));
    await checkBothWidths(page, 'accounts');
    await page.locator('#id_number').fill(NURSE.id);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '查詢' }));
    assert.match(page.url(), /\/ops\/accounts\/\d+$/);
    assert.match(await page.locator('main').textContent(), /A20\*{5}58/);
    await checkBothWidths(page, 'account');

    // Removing an account: the reason is required, then a confirmation; cancelled here, since
    // she signs in below (the removal itself is tested in crates/web/tests/web/operator.rs).
    await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '刪除此帳號…' }));
    await checkBothWidths(page, 'account removal');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '繼續' }));
    assert.match(await page.locator('#reason-error').textContent(), /請填寫刪除此帳號的原因/);
    await checkBothWidths(page, 'account removal without a reason');
    await page.locator('#reason').fill('他人冒名註冊，已臨櫃確認本人身分');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '繼續' }));
    assert.match(await page.getByTestId('remove-confirm').textContent(), /無法復原/);
    await checkBothWidths(page, 'account removal confirmation');
    await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '取消，回到帳號' }));
    assert.match(page.url(), /\/ops\/accounts\/\d+$/);

    await clickAndWaitForNewDocument(page, page.getByRole('navigation', { name: '管理者功能' }).getByRole('link', { name: '稽核紀錄' }));
    await page.locator('#event').selectOption('ops_content_add');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '查詢' }));
    const rows = await page.locator('table tbody tr').allTextContents();
    assert.equal(rows.length, 2, 'the notice and the quote were recorded');
    assert.ok(rows.every((row) => row.includes(OPERATOR)), 'with the operator\'s name');
    await checkBothWidths(page, 'audit');
    // Each row names its request (16 hex digits: the reference an error page gives) and the
    // browser. Chromium's user agent is longer than the 40 characters shown: it opens whole.
    const first = page.locator('table tbody tr').first();
    assert.match(await first.locator('code').textContent(), /^[0-9a-f]{16}$/);
    const agent = first.locator('details');
    assert.match(await agent.locator('summary').textContent(), /^Mozilla\/5\.0 .{28}…$/);
    await agent.locator('summary').click();
    assert.equal(await agent.evaluate((details) => details.open), true);
    assert.match(await agent.textContent(), /Chrome\//);
    await checkBothWidths(page, 'audit browser opened');

    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登出' }));
    assert.equal(page.url(), `${server.url}/ops/login`);

    // The member's home page shows the notice.
    await page.goto(`${server.url}/login`);
    await page.locator('#id_number').fill(NURSE.id);
    await page.locator('#password').fill(NURSE.password);
    await page.locator('#captcha').fill(CAPTCHA_ANSWER);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登入', exact: true }));
    assert.equal(page.url(), `${server.url}/member`);
    assert.match(await page.getByTestId('notices').textContent(), new RegExp(NOTICE));
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations('member home with a notice', violations));

    // Her session opens no operator page.
    await page.goto(`${server.url}/ops/audit`);
    assert.equal(page.url(), `${server.url}/ops/login`);
    await page.close();
  });
});
