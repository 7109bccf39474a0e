// 忘記密碼 and 註冊社群 in a real browser: the manual nurse resets her password through the link
// mailed to her, a visitor registers, and a nurse without an account registers and verifies her
// address with the password she chose; every page is checked with axe-core (WCAG 2.1 AA) at
// desktop and phone widths and photographed.
//
// The server runs without a mail relay, so each mail is written as an .eml file and its path is
// logged: the test reads the link from there (the HTTP tests deliver over real SMTP instead).

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, startServer } from './lib/server.mjs';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

// The manual nurse (crates/demo/src/showcase.rs, `manual_nurse`) and her address on record.
const NURSE = { id: 'A200123458', email: 'lin.yijun@example.org' };
const NEW_PASSWORD = 'marigold tapestry kettle ferry';
// A nurse in the registry with no account (crates/demo/src/showcase.rs, `not_yet_registered`).
const UNREGISTERED = { id: 'E200789012', name: '張雅琪', birthDate: '1996-09-14', email: 'chang.yachi@example.org' };

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freshPage(viewport = DESKTOP) {
  await browser.context.clearCookies();
  return newWatchedPage(browser.context, viewport);
}

async function checkPage(page, label) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, describeViolations(label, violations));
  assert.deepEqual(page.problems, [], `the browser reported problems:\n${page.problems.join('\n')}`);
  await page.screenshot({ path: join(ARTIFACTS, `${label.replace(/\W+/g, '-')}.png`), fullPage: true });
}

async function clickAndWaitForNewDocument(page, locator) {
  await page.evaluate(() => { window.huzhuOldDocument = true; });
  await locator.click();
  await page.waitForFunction(() => !window.huzhuOldDocument && document.readyState === 'complete');
}

/** The .eml files the server has logged writing, in order. */
function mailFiles() {
  // eslint-disable-next-line no-control-regex
  const plain = server.log().replace(/\x1b\[[0-9;]*m/g, '');
  return [...plain.matchAll(/mail written to a file path=(\S+\.eml)/g)].map((m) => m[1]);
}

/** The plain-text part of a mail file, decoded. */
function textPart(eml) {
  const start = eml.indexOf('Content-Type: text/plain');
  const part = eml.slice(start);
  const blank = part.indexOf('\r\n\r\n');
  const headers = part.slice(0, blank);
  const body = part.slice(blank + 4).split('\r\n--')[0];
  if (/Content-Transfer-Encoding: base64/i.test(headers)) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    const joined = body.replace(/=\r?\n/g, '');
    const bytes = [];
    for (let i = 0; i < joined.length; i++) {
      const hex = joined.slice(i + 1, i + 3);
      if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(joined[i], 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
  return body;
}

/** Waits for the n-th mail and returns its text. */
async function waitForMail(n) {
  for (let i = 0; i < 100 && mailFiles().length < n; i++) await sleep(100);
  const files = mailFiles();
  assert.ok(files.length >= n, `no mail number ${n} in the log:\n${server.log()}`);
  return textPart(await readFile(files[n - 1], 'utf8'));
}

describe('accounts in Chromium', () => {
  test('the manual nurse resets her forgotten password through the mailed link', async () => {
    const page = await freshPage();
    await page.goto(`${server.url}/login`);
    await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '*忘記密碼，我要重設密碼' }));
    assert.equal(page.url(), `${server.url}/password/forgot`);
    await checkPage(page, 'forgot desktop');

    await page.locator('#id_number').fill(NURSE.id);
    await page.locator('#email').fill(NURSE.email);
    await page.locator('#captcha').fill(CAPTCHA_ANSWER);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '寄出重設連結' }));
    assert.match(await page.locator('main').textContent(), /重設密碼的連結已寄到該電子郵件信箱/);
    await checkPage(page, 'forgot sent');

    const mail = await waitForMail(1);
    const link = /(http:\/\/\S+\/password\/reset\?token=[A-Za-z0-9_-]+)/.exec(mail)?.[1];
    assert.ok(link, `the mail has a reset link:\n${mail}`);
    assert.ok(link.startsWith(server.url), 'the link is on the configured address');

    await page.goto(link);
    await checkPage(page, 'reset form');
    // A common password first: refused next to the field, nothing lost.
    await page.locator('#password').fill('password1234');
    await page.locator('#password_again').fill('password1234');
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '設定新密碼' }));
    assert.match(await page.locator('#password-error').textContent(), /太常見或太容易猜到/);
    await checkPage(page, 'reset refused');

    await page.locator('#password').fill(NEW_PASSWORD);
    await page.locator('#password_again').fill(NEW_PASSWORD);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '設定新密碼' }));
    assert.match(await page.locator('main').textContent(), /密碼已重設/);

    await clickAndWaitForNewDocument(page, page.getByRole('main').getByRole('link', { name: '前往登入' }));
    await page.locator('#id_number').fill(NURSE.id);
    await page.locator('#password').fill(NEW_PASSWORD);
    await page.locator('#captcha').fill(CAPTCHA_ANSWER);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登入', exact: true }));
    assert.equal(page.url(), `${server.url}/member`);
    await page.close();
  });

  test('a visitor registers and gets the same calm answer, at desktop and phone widths', async () => {
    for (const [viewport, width] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
      const page = await freshPage(viewport);
      await page.goto(`${server.url}/login`);
      await clickAndWaitForNewDocument(page, page.getByRole('link', { name: '註冊社群' }));
      assert.equal(page.url(), `${server.url}/register`);
      await checkPage(page, `register ${width}`);

      // An ID nobody in the registry has (see portal.test.mjs for its check digit).
      await page.locator('#id_number').fill('A200000003');
      await page.locator('#name').fill('王小明');
      await page.locator('#birth_date').fill('79/04/05');
      await page.locator('#email').fill('visitor@example.org');
      await page.locator('#password').fill(NEW_PASSWORD);
      await page.locator('#password_again').fill(NEW_PASSWORD);
      await page.locator('#captcha').fill(CAPTCHA_ANSWER);
      await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '送出註冊' }));
      assert.match(await page.locator('main').textContent(), /已收到您的註冊資料/);
      await checkPage(page, `register sent ${width}`);

      await page.goto(`${server.url}/password/forgot`);
      await checkPage(page, `forgot ${width}`);
      await page.close();
    }
  });

  test('a nurse registers, and her link asks for the password she chose before the account works', async () => {
    // Registered at desktop width; her mail is the next one written.
    const mailsBefore = mailFiles().length;
    let page = await freshPage(DESKTOP);
    await page.goto(`${server.url}/register`);
    await page.locator('#id_number').fill(UNREGISTERED.id);
    await page.locator('#name').fill(UNREGISTERED.name);
    await page.locator('#birth_date').fill(UNREGISTERED.birthDate);
    await page.locator('#email').fill(UNREGISTERED.email);
    await page.locator('#password').fill(NEW_PASSWORD);
    await page.locator('#password_again').fill(NEW_PASSWORD);
    await page.locator('#captcha').fill(CAPTCHA_ANSWER);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '送出註冊' }));
    assert.match(await page.locator('main').textContent(), /已收到您的註冊資料/);

    const mail = await waitForMail(mailsBefore + 1);
    assert.match(mail, /沒有註冊時設定的密碼，任何人都無法使用這個帳號/);
    const link = /(http:\/\/\S+\/register\/verify\?token=[A-Za-z0-9_-]+)/.exec(mail)?.[1];
    assert.ok(link, `the mail has a verification link:\n${mail}`);

    // Opened at desktop width: a password form with the show-password button.
    await page.goto(link);
    await checkPage(page, 'verify desktop');
    const toggle = page.locator('.password-row').getByRole('button', { name: '顯示密碼' });
    await page.locator('#password').fill('not the password chosen');
    await toggle.click();
    assert.equal(await page.locator('#password').getAttribute('type'), 'text');
    // A wrong password: named next to the field, and the link keeps working.
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '完成驗證' }));
    assert.match(await page.locator('#password-error').textContent(), /密碼與註冊時設定的不符/);
    assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
    await checkPage(page, 'verify refused desktop');
    await page.close();

    // Opened again at phone width, the right password verifies and sends her to sign in.
    page = await freshPage(PHONE);
    await page.goto(link);
    await checkPage(page, 'verify phone');
    await page.locator('#password').fill(NEW_PASSWORD);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '完成驗證' }));
    assert.match(await page.locator('main').textContent(), /電子郵件已驗證/);
    await checkPage(page, 'verified phone');

    await clickAndWaitForNewDocument(page, page.getByRole('main').getByRole('link', { name: '前往登入' }));
    await page.locator('#id_number').fill(UNREGISTERED.id);
    await page.locator('#password').fill(NEW_PASSWORD);
    await page.locator('#captcha').fill(CAPTCHA_ANSWER);
    await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登入', exact: true }));
    assert.equal(page.url(), `${server.url}/member`);

    // The link is used up.
    await page.goto(link);
    assert.match(await page.locator('main').textContent(), /此連結無效、已使用過或已逾時/);
    assert.equal(await page.locator('#password').count(), 0);
    await page.close();
  });
});
