// 更多個人資料 in a real browser, for the showcase midwife 李𠮷芳 (B200456784, a name with a
// character outside the BMP): reached from the home page's link, her figures worked out by hand,
// accessibility (axe-core, WCAG 2.1 A and AA) at desktop and phone widths, the resume PDF
// downloaded, drawn to PNG with pdftoppm (tests/browser/artifacts/resume-1.png) and read back with
// pdftotext, the verification page opened through the code printed on it, and the resume
// revoked, after which the verification page says so.
//
// Figures (crates/demo/src/showcase.rs, `midwife`):
// - certificates: 護理師 衛署護字第045678號 of 2007-07-20 (ROC 96), 助產師 衛署助產字第045678號 of
//   2009-10-12 (ROC 98);
// - current licence (the one registered last, 2010-02-22 = ROC 99): 桃市助產執字第0045678號, 桃園市政府衛生局,
//   at 0932020016 = 宏其醫療社團法人宏其婦幼醫院 (data/institutions.csv), 執業, due 2027-10-13
//   (ROC 116); renewal applications open six months before, 2027-04-13 (ROC 116年04月13日);
// - her first licence: registered 2007-09-03 (ROC 96), 歇業 2010-01-31 (ROC 99) 「改以助產師執業」;
//   the midwife licence: registered 2010-02-22, renewed 2015-08-10 (ROC 104) and 2021-07-26 (ROC 110);
// - CE: window 2021-10-13 … 2027-10-12 (ROC 110 … 116), 40.00 + 12.00 = 52.00 of 120;
// - e-learning: one course of 60 minutes = 1 h 0 min.
// - ID B200456784 masked in positions 4–8: B20*****84; on the verification page the name keeps
//   its first and last characters: 李○芳.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, huzhuBin, startServer } from './lib/server.mjs';

const run = promisify(execFile);
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const MIDWIFE_ID = 'B200456784';
const MIDWIFE_NAME = '李\u{20BB7}芳';
const DUE = Date.UTC(2027, 9, 13);

const squash = (text) => text.replace(/\s+/g, ' ').trim();
const textOf = async (locator) => squash(await locator.textContent());

/** Today's date in Taiwan (UTC+8), as the server counts days, at midnight UTC. */
function todayInTaiwan() {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

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

function assertNoProblems(page) {
  // A form answered with an attachment ends its navigation as "aborted": that is the download.
  const problems = page.problems.filter((p) => !/^request failed: POST \S+\/member\/personal\/resume: net::ERR_ABORTED$/.test(p));
  assert.deepEqual(problems, [], `the browser reported problems:\n${problems.join('\n')}`);
}

async function assertAccessible(t, page, label, shot, viewport, width) {
  await t.test(`${label} at ${width} width`, async () => {
    await page.screenshot({ path: join(ARTIFACTS, `${shot}-${width}.png`), fullPage: true });
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(`${label} at ${width} width`, violations));
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= viewport.width, `the page is ${scrollWidth} px wide in a ${viewport.width} px window`);
  });
}

describe(`更多個人資料 and the resume in Chromium (${huzhuBin})`, () => {
  test('her page, her resume, its verification and its revocation', async (t) => {
    await browser.context.clearCookies();
    const page = await newWatchedPage(browser.context, DESKTOP);
    await signIn(page);
    await page.getByRole('link', { name: '更多個人資料' }).click();
    await page.waitForURL(`${server.url}/member/personal`);

    await t.test('the figures worked out by hand', async () => {
      assert.equal(await textOf(page.getByRole('heading', { level: 1 })), '更多個人資料');
      assert.equal(await textOf(page.getByTestId('name')), MIDWIFE_NAME);
      assert.match(await textOf(page.getByTestId('id-number')), /^B20\*\*\*\*\*84 /);
      const rows = page.getByTestId('certificates').locator('tbody tr');
      const certificates = [];
      for (const row of await rows.all()) certificates.push((await row.locator('td').allTextContents()).map(squash));
      assert.deepEqual(certificates, [
        ['護理師', '衛署護字第045678號', '96年07月20日', '有效'],
        ['助產師', '衛署助產字第045678號', '98年10月12日', '有效'],
      ]);
      const licence = await textOf(page.getByTestId('licence'));
      for (const fact of ['桃市助產執字第0045678號', '助產師', '桃園市政府衛生局', '宏其醫療社團法人宏其婦幼醫院', '99年02月22日']) {
        assert.ok(licence.includes(fact), `${fact} in ${licence}`);
      }
      assert.equal(await textOf(page.getByTestId('renewal-due')), '116年10月13日（2027-10-13）');
      assert.equal(await textOf(page.getByTestId('licence-status')), '執業');
      // On 2026-12-04: 28 days to 2027-01-01, then 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 = 273
      // to 1 October, then 12: 313 days. Worked out from the real date, as the server does.
      const days = Math.round((DUE - todayInTaiwan()) / 86_400_000);
      assert.equal(await textOf(page.getByTestId('days-left')), `尚有 ${days} 天`);
      assert.equal(await textOf(page.getByTestId('window-opens')), '116年04月13日');
      const timeline = [];
      for (const list of await page.getByTestId('timeline').all()) {
        timeline.push((await list.locator('li').allTextContents()).map(squash));
      }
      // Newest licence first.
      assert.deepEqual(timeline, [
        ['99年02月22日 登記', '104年08月10日 更新', '110年07月26日 更新'],
        ['96年09月03日 登記', '99年01月31日 歇業 — 改以助產師執業'],
      ]);
      assert.equal(await textOf(page.getByTestId('points')), '52.00 / 120.00');
      assert.ok((await textOf(page.locator('section[aria-labelledby="points-title"]')))
        .includes('計算期間：110年10月13日 至 116年10月12日'));
      assert.equal(await textOf(page.getByTestId('learning-total')), '1 堂，共計 1 小時 0 分鐘');
    });

    await assertAccessible(t, page, 'the personal page', 'personal', DESKTOP, 'desktop');
    const phone = await newWatchedPage(browser.context, PHONE);
    await phone.goto(`${server.url}/member/personal`);
    await assertAccessible(t, phone, 'the personal page', 'personal', PHONE, 'phone');

    // The resume, as she downloads it.
    const pdfPath = join(ARTIFACTS, 'resume.pdf');
    let code;
    await t.test('the resume PDF renders and carries her name', async () => {
      await page.locator('#resume-language').selectOption('zh-Hant-TW');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: '下載個人履歷（PDF）' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `履歷_${MIDWIFE_NAME}.pdf`);
      await download.saveAs(pdfPath);
      // The first page as a picture, for people to look at.
      await run('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(ARTIFACTS, 'resume-1')]);
      const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', pdfPath, '-']);
      assert.ok(stdout.includes(MIDWIFE_NAME), `her name in the PDF text:\n${stdout}`);
      assert.ok(stdout.includes('桃市助產執字第0045678號'));
      assert.ok(stdout.includes('52.00 / 120.00'));
      const found = /驗證碼：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(stdout);
      assert.ok(found, `a verification code in the PDF text:\n${stdout}`);
      code = found[1];
    });

    const verifyPage = await newWatchedPage(browser.context, DESKTOP);
    await t.test('the verification page through the printed code', async () => {
      assert.ok(code, 'the code was read from the resume');
      await verifyPage.goto(`${server.url}/verify/${code}`);
      assert.equal(await textOf(verifyPage.getByTestId('verdict')), '此份履歷為本系統核發，內容如下。');
      assert.equal(await textOf(verifyPage.getByTestId('verify-name')), '李○芳');
      const facts = new Map();
      for (const fact of await verifyPage.locator('dl.facts > div').all()) {
        facts.set(await textOf(fact.locator('dt')), await textOf(fact.locator('dd')));
      }
      assert.equal(facts.get('本期繼續教育積分'), '52.00 / 120.00');
      assert.equal(facts.get('執業執照字號'), '助產師 桃市助產執字第0045678號');
      assert.equal(facts.get('應更新日期'), '116年10月13日 (2027-10-13)');
      assert.match(await textOf(verifyPage.getByTestId('in-force')), /^其執業執照今日仍有效/);
    });
    await assertAccessible(t, verifyPage, 'the verification page', 'verify', DESKTOP, 'desktop');
    await phone.goto(`${server.url}/verify/${code}`);
    await assertAccessible(t, phone, 'the verification page', 'verify', PHONE, 'phone');

    await t.test('revoked from her page, the verification page says so', async () => {
      await page.goto(`${server.url}/member/personal`);
      const rows = page.getByTestId('resumes').locator('tbody tr');
      assert.equal(await rows.count(), 1);
      assert.ok((await textOf(rows.first())).startsWith(`${code.slice(0, 4)}-…`));
      await rows.first().getByRole('button', { name: /^撤銷/ }).click();
      await page.waitForURL(`${server.url}/member/personal?revoked=1`);
      assert.equal(await textOf(page.getByRole('status')), '履歷已撤銷，驗證頁將顯示其已失效。');
      assert.match(await textOf(rows.first()), /已撤銷於/);

      await verifyPage.goto(`${server.url}/verify/${code}`);
      assert.match(await textOf(verifyPage.getByTestId('verdict')), /^此份履歷已由本人撤銷：/);
      assert.equal(await verifyPage.getByTestId('verify-name').count(), 0, 'a revoked resume shows nothing of her');
    });
    await assertAccessible(t, page, 'the personal page after revocation', 'personal-revoked', DESKTOP, 'desktop');
    await assertAccessible(t, verifyPage, 'the verification page of a revoked resume', 'verify-revoked', DESKTOP, 'desktop');

    for (const p of [page, phone, verifyPage]) {
      assertNoProblems(p);
      await p.close();
    }
  });
});
