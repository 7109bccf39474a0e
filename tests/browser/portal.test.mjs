// The portal in a real browser: the manual's sign-in and member home page, the English pages,
// accessibility (axe-core, WCAG 2.0/2.1 A and AA) at desktop and phone widths, screenshots,
// and no console error or Content-Security-Policy violation anywhere.
//
// Runs the built binary (HUZHU_BIN, default target/debug/huzhu) with its demo data, and signs
// in as the first showcase member of crates/demo/src/showcase.rs, the manual's nurse, whose
// figures were worked out by hand there.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, huzhuBin, startServer } from './lib/server.mjs';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

// The manual's nurse (showcase.rs, `manual_nurse`): her current licence is 歇業 and due for
// renewal on 2027-05-31 (ROC 116), at institution 0401180014 (data/institutions.csv); 71.50
// points counted in the window 2021-05-31 … 2027-05-30; e-learning 120 + 150 + 210 minutes.
const NURSE = {
  id: 'A200123458',
  name: '林怡君',
  status: '歇業',
  statusEn: 'Not practising',
  points: '71.50 / 120.00',
  licenceValid: '116年05月31日',
  institution: '國立臺灣大學醫學院附設醫院',
  learning: '3 堂，共計 8 小時 0 分鐘',
  learningEn: '3 courses, 8 h 0 min in all',
};

// The demo data's quotes of the day (crates/demo/src/home.rs): one is shown each day.
const QUOTES = new Map([
  ['成功之人去找尋環境，若環境不符合他，便去改造它。', '喬伯納'],
  ['有時去治癒，常常去幫助，總是去安慰。', '特魯多醫師墓誌銘'],
  ['千里之行，始於足下。', '老子《道德經》'],
  ['學而不思則罔，思而不學則殆。', '《論語．為政》'],
  ['工欲善其事，必先利其器。', '《論語．衛靈公》'],
  ['業精於勤，荒於嬉；行成於思，毀於隨。', '韓愈〈進學解〉'],
  ['天下難事，必作於易；天下大事，必作於細。', '老子《道德經》'],
  ['己所不欲，勿施於人。', '《論語．衛靈公》'],
]);

const DEPARTMENT_ZH = '衛生福利部護理及健康照護司';
const DEPARTMENT_EN = 'Department of Nursing and Health Care, Ministry of Health and Welfare';
const LOGIN_FAILED = '登入失敗：身分證字號或密碼不正確，或帳號尚未啟用。請重新輸入。';

/** Collapses runs of white space, as a reader sees them. */
const squash = (text) => text.replace(/\s+/g, ' ').trim();
const textOf = async (locator) => squash(await locator.textContent());

// A well-formed ID that no member has: digits 3–4 "00" are kept for the showcase members, and
// this serial is none of theirs. A = 10 → 1 + 0×9 = 1; 2×8 = 16; 0000000 → 0; 1 + 16 = 17, so
// the check digit is 3.
const UNUSED_ID = 'A200000003';

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

/**
 * A new tab, signed out and in Chinese: every test starts from no cookies. (Not a beforeEach
 * hook: those also run before subtests, which would sign the browser out in mid-test.)
 */
async function freshPage(viewport = DESKTOP) {
  await browser.context.clearCookies();
  return newWatchedPage(browser.context, viewport);
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `the browser reported problems:\n${page.problems.join('\n')}`);
}

/** Types the credentials into the real sign-in page and presses 登入. */
async function submitLogin(page, { id, password, captcha = CAPTCHA_ANSWER }) {
  await page.locator('#id_number').fill(id);
  await page.locator('#password').fill(password);
  await page.locator('#captcha').fill(captcha);
  await clickAndWaitForNewDocument(page, page.getByRole('button', { name: '登入', exact: true }));
}

/**
 * Clicks something that loads a new page, and waits until that page has loaded. The address
 * alone cannot tell (a failed sign-in shows /login again, the language switch comes back to
 * the same page), so the old document is marked and the wait is for an unmarked one.
 */
async function clickAndWaitForNewDocument(page, locator) {
  await page.evaluate(() => { window.huzhuOldDocument = true; });
  await locator.click();
  await page.waitForFunction(() => !window.huzhuOldDocument && document.readyState === 'complete');
}

function nurseAccount() {
  const account = server.accounts.get(NURSE.id);
  assert.ok(account, `the demo accounts printed at start-up have no ${NURSE.id}:\n${server.log()}`);
  assert.equal(account.name, NURSE.name);
  return account;
}

async function signInAsNurse(page) {
  await page.goto(`${server.url}/login`);
  await submitLogin(page, { id: NURSE.id, password: nurseAccount().password });
  await page.waitForURL(`${server.url}/member`);
}

describe(`the portal in Chromium (${huzhuBin})`, () => {
  test('the manual nurse signs in and sees every block of the home page with her figures', async () => {
    const page = await freshPage();

    // 請點選網頁右上方「登入」功能鈕: the landing page's header link.
    await page.goto(server.url);
    await page.getByRole('banner').getByRole('link', { name: '登入', exact: true }).click();
    await page.waitForURL(`${server.url}/login`);
    assert.equal(await page.locator('#captcha-image').getAttribute('src'), '/captcha');
    assert.ok(
      await page.locator('#captcha-image').evaluate((img) => img.complete && img.naturalWidth > 0),
      'the captcha image loads',
    );

    await submitLogin(page, { id: NURSE.id, password: nurseAccount().password });
    await page.waitForURL(`${server.url}/member`);

    // Her figures, worked out by hand in showcase.rs.
    assert.equal(await textOf(page.getByTestId('points')), NURSE.points);
    assert.ok((await textOf(page.getByTestId('practice-status'))).endsWith(NURSE.status));
    assert.equal(await textOf(page.getByTestId('licence-valid')), NURSE.licenceValid);
    assert.equal(await textOf(page.getByTestId('institution')), NURSE.institution);
    assert.equal(await textOf(page.getByTestId('learning')), NURSE.learning);

    // The manual's blocks, top to bottom.
    const header = page.getByRole('banner');
    assert.match(await textOf(header), new RegExp(DEPARTMENT_ZH));
    assert.ok((await textOf(header)).includes(DEPARTMENT_EN), 'the header has the English name');
    await assertVisible(header.getByRole('button', { name: '登出', exact: true }));

    const body = await textOf(page.locator('body'));
    for (const text of ['護+助起來', '創造安心護理助產執業環境 提供優質健康照護服務', '社群專區 | Network']) {
      assert.ok(body.includes(text), `the banner shows ${text}`);
    }
    const breadcrumb = page.getByRole('navigation', { name: '現在位置' });
    assert.equal(await textOf(breadcrumb), '現在位置：首頁 / 社群專區');
    assert.equal(await textOf(page.getByRole('heading', { level: 1 })), `歡迎回來，${NURSE.name}`);
    await assertVisible(page.getByRole('link', { name: /^護助歷史平台/ }));

    const quote = page.locator('section', { has: page.getByRole('heading', { name: '每天來點正能量' }) });
    const quoteText = await textOf(quote.locator('blockquote p'));
    assert.ok(QUOTES.has(quoteText), `the quote of the day is one of the demo quotes: ${quoteText}`);
    assert.equal(await textOf(quote.locator('blockquote footer')), `(出處：${QUOTES.get(quoteText)})`);

    const video = page.locator('section', { has: page.getByRole('heading', { name: '影音推薦' }) });
    assert.equal(await textOf(video.locator('.video-name')), '居家護理師—關於我和個案變成家人的那些事');
    assert.match(await textOf(video), /到以下平台觀看：\s*YouTube/);
    await assertVisible(video.getByRole('link', { name: /^YouTube/ }));

    const practice = page.locator('section', { has: page.getByTestId('practice-status') });
    for (const term of ['執照效期', '執業機構']) {
      await assertVisible(practice.locator('dt', { hasText: term }));
    }
    await assertVisible(page.getByRole('heading', { name: '積分目前得分 / 積分換照需要分數' }));
    await assertVisible(page.getByRole('heading', { name: '線上學習履歷' }));

    const links = page.locator('section', { has: page.getByRole('heading', { name: '快速連結' }) });
    for (const name of ['醫事系統入口網', '護理職場爭議通報平台']) {
      await assertVisible(links.getByRole('link', { name: new RegExp(`^${name}`) }));
    }

    // 登出, then the home page is closed again.
    await page.getByRole('button', { name: '登出', exact: true }).click();
    await page.waitForURL(`${server.url}/`);
    await assertVisible(page.getByRole('banner').getByRole('link', { name: '登入', exact: true }));
    const direct = await page.request.get(`${server.url}/member`, { maxRedirects: 0 });
    assert.equal(direct.status(), 303);
    assert.equal(direct.headers().location, '/login');
    await page.goto(`${server.url}/member`);
    assert.equal(page.url(), `${server.url}/login`);

    assertNoProblems(page);
    await page.close();
  });

  test('a wrong password or an unknown ID gives the same message and keeps the typed ID', async () => {
    const page = await freshPage();
    await page.goto(`${server.url}/login`);
    await submitLogin(page, { id: NURSE.id, password: 'not-her-password' });
    assert.equal(page.url(), `${server.url}/login`);
    const alert = page.getByRole('alert');
    assert.ok((await textOf(alert)).includes(LOGIN_FAILED), `the failure message: ${await textOf(alert)}`);
    assert.equal(await page.locator('#id_number').inputValue(), NURSE.id);
    assert.equal(await page.locator('#password').inputValue(), '', 'the password is never sent back');
    await screenshot(page, 'login-failed-desktop');

    // Someone who is not a member sees exactly the same words: the page does not tell whether
    // an ID has an account.
    const stranger = UNUSED_ID;
    await submitLogin(page, { id: stranger, password: 'whatever-it-is' });
    assert.equal(await textOf(page.getByRole('alert')), await textOf(alert));
    assert.ok((await textOf(page.getByRole('alert'))).includes(LOGIN_FAILED));
    assert.equal(await page.locator('#id_number').inputValue(), stranger);

    assertNoProblems(page);
    await page.close();
  });

  test('the English switch on the home page changes the language and back', async () => {
    const page = await freshPage();
    await signInAsNurse(page);
    await clickAndWaitForNewDocument(page, page.getByRole('banner').getByRole('link', { name: 'Switch to English' }));
    assert.equal(page.url(), `${server.url}/member`);

    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await textOf(page.getByRole('heading', { level: 1 })), `Welcome back, ${NURSE.name}`);
    assert.equal(await textOf(page.getByRole('navigation', { name: 'You are here' })), 'You are here: Home / My portal');
    assert.ok((await textOf(page.getByTestId('practice-status'))).endsWith(NURSE.statusEn));
    assert.equal(await textOf(page.getByTestId('points')), NURSE.points);
    assert.equal(await textOf(page.getByTestId('learning')), NURSE.learningEn);
    await assertVisible(page.getByRole('button', { name: 'Sign out', exact: true }));
    assert.equal(await textOf(page.getByRole('banner').getByRole('link', { name: '切換為中文' })), '中文');
    await screenshot(page, 'home-en-desktop');

    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations('English home page', violations));

    await clickAndWaitForNewDocument(page, page.getByRole('banner').getByRole('link', { name: '切換為中文' }));
    assert.equal(page.url(), `${server.url}/member`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-Hant-TW');
    assert.equal(await textOf(page.getByRole('heading', { level: 1 })), `歡迎回來，${NURSE.name}`);

    assertNoProblems(page);
    await page.close();
  });

  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    // Also takes the full-page screenshots of each page at this width.
    test(`no WCAG 2.1 A/AA violations at ${width} width (${viewport.width} px)`, async (t) => {
      const page = await freshPage(viewport);
      const check = async (label, shot) => {
        await t.test(label, async () => {
          if (shot) await screenshot(page, `${shot}-${width}`);
          const violations = await axeViolations(page);
          assert.equal(violations.length, 0, describeViolations(`${label} at ${width} width`, violations));
          await assertFitsWidth(page, viewport.width);
        });
      };

      await page.goto(server.url);
      await check('landing page', 'landing');

      await page.goto(`${server.url}/login`);
      await check('sign-in page', 'login');

      await submitLogin(page, { id: '', password: '', captcha: '' });
      assert.equal(await page.locator('.field-error').count(), 3, `every empty field is marked: ${squash(await page.locator('main').innerText())}`);
      await check('sign-in page with a field error on each field', 'login-errors');

      await submitLogin(page, { id: NURSE.id, password: 'not-her-password' });
      await check('sign-in page after a failed sign-in', null);

      await submitLogin(page, { id: NURSE.id, password: nurseAccount().password });
      await page.waitForURL(`${server.url}/member`);
      await check('member home page', 'home');

      assertNoProblems(page);
      await page.close();
    });
  }
});

async function assertVisible(locator) {
  assert.ok(await locator.isVisible(), `visible: ${locator}`);
}

/** Nothing makes the page scroll sideways: at phone width that would hide content. */
async function assertFitsWidth(page, width) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide in a ${width} px window`);
}
