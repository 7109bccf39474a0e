// HCA憑證登入 in a real browser, end to end: a test PKI and a professional card for the manual
// nurse (made by the hca crate's test-card example), the card's key and certificate on a SoftHSM2
// token, the real huzhu-agent serving it on loopback, and Chromium driving the page. The nurse
// finds her card not yet linked, links it from the account page right after a password sign-in,
// types a wrong PIN, then signs in with the card, and on the account page sees both her live
// sessions and ends the password one. Every page is checked with axe-core.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { axeViolations, describeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, launch, newWatchedPage } from './lib/browser.mjs';
import { CAPTCHA_ANSWER, freePort, huzhuBin, startServer } from './lib/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');
// The agent and the test-card example sit beside the huzhu binary (scripts/test builds them).
const binDir = dirname(huzhuBin);
const AGENT_BIN = process.env.HUZHU_AGENT_BIN ? resolve(process.env.HUZHU_AGENT_BIN) : join(binDir, 'huzhu-agent');
const TEST_CARD_BIN = join(binDir, 'examples', 'test-card');
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '135790';
const SO_PIN = '24682468';

// The manual nurse (crates/demo/src/showcase.rs, `manual_nurse`).
const NURSE = { id: 'A200123458', name: '林怡君' };

let server;
let browser;
let agent;
let work;

function run(program, args, env = {}) {
  const result = spawnSync(program, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(result.status, 0, `${program} ${args.join(' ')} failed: ${result.error ?? ''}\n${result.stderr}`);
  return result.stdout;
}

/** A SoftHSM2 token labelled HCA with the card's key and certificate under id 01. */
async function provisionToken(folder) {
  const tokens = join(folder, 'tokens');
  await mkdir(tokens);
  const conf = join(folder, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { SOFTHSM2_CONF: conf };
  run('softhsm2-util', ['--init-token', '--free', '--label', 'HCA', '--pin', PIN, '--so-pin', SO_PIN], env);
  run('softhsm2-util', ['--import', join(folder, 'card-key.pem'), '--token', 'HCA', '--label', 'sign',
    '--id', '01', '--pin', PIN], env);
  run('pkcs11-tool', ['--module', SOFTHSM, '--token-label', 'HCA', '--login', '--pin', PIN,
    '--write-object', join(folder, 'card.der'), '--type', 'cert', '--id', '01', '--label', 'sign'], env);
  return conf;
}

/** Starts huzhu-agent on `port` for `origin`; resolves once it says it is listening. */
function startAgent(conf, port, origin) {
  const child = spawn(AGENT_BIN, ['--module', SOFTHSM, '--origin', origin, '--port', String(port)], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { log += chunk; });
  const killOnExit = () => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killOnExit);
  return new Promise((resolveAgent, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`huzhu-agent exited (${code}):\n${log}`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (chunk.includes('listening')) {
        resolveAgent({
          log: () => log,
          async stop() {
            process.off('exit', killOnExit);
            child.removeAllListeners('exit');
            const exited = new Promise((r) => child.once('exit', r));
            process.kill(child.pid, 'SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'huzhu-card-'));
  run(TEST_CARD_BIN, [work, NURSE.name]);
  const conf = await provisionToken(work);
  const agentPort = await freePort();
  server = await startServer({
    settings: {
      HUZHU_CARD_TRUST_ANCHORS: JSON.stringify([join(work, 'root.pem')]),
      HUZHU_CARD_INTERMEDIATES: JSON.stringify([join(work, 'hca.pem')]),
      HUZHU_CARD_CRLS: JSON.stringify([join(work, 'root.crl'), join(work, 'hca.crl')]),
      HUZHU_CARD_AGENT_ORIGINS: JSON.stringify([`http://127.0.0.1:${agentPort}`]),
    },
  });
  agent = await startAgent(conf, agentPort, server.url);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await agent?.stop();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function freshPage(viewport = DESKTOP) {
  await browser.context.clearCookies();
  return newWatchedPage(browser.context, viewport);
}

async function checkPage(page, label, { problems = true } = {}) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, describeViolations(label, violations));
  if (problems) {
    assert.deepEqual(page.problems, [], `the browser reported problems:\n${page.problems.join('\n')}`);
  }
  await page.screenshot({ path: join(ARTIFACTS, `${label.replace(/\W+/g, '-')}.png`), fullPage: true });
}

async function openCardTab(page) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('link', { name: 'HCA憑證登入' }).click();
  await page.waitForURL(`${server.url}/login?tab=card`);
  await assert.doesNotReject(page.locator('#card-env-text', { hasText: 'HCA元件安裝成功' }).waitFor());
}

async function verifyWithPin(page, pin) {
  await page.locator('#card-pin').fill(pin);
  await page.getByRole('button', { name: '進行驗證' }).click();
}

describe(`card sign-in in Chromium through huzhu-agent (${AGENT_BIN})`, () => {
  test('an unlinked card is told to link; linked after a password sign-in; wrong PIN; then the card signs in', async () => {
    const page = await freshPage();

    // The tab finds the component, and the card is not linked yet.
    await openCardTab(page);
    await checkPage(page, 'card tab found');
    await verifyWithPin(page, PIN);
    await page.locator('#card-result', { hasText: '尚未連結' }).waitFor();
    // The refusal is a 403, which Chromium logs as a failed load: expected here, and only it.
    const refusal = /status of 403 \(Forbidden\) \(http:\/\/127\.0\.0\.1:\d+\/login\/card:0\)$/;
    assert.ok(page.problems.length === 1 && refusal.test(page.problems[0]), page.problems.join('\n'));
    page.problems.length = 0;
    await checkPage(page, 'card not linked');

    // Password sign-in, then link the card from the account page.
    const account = server.accounts.get(NURSE.id);
    assert.ok(account, `no demo account ${NURSE.id}:\n${server.log()}`);
    await page.goto(`${server.url}/login`);
    await page.locator('#id_number').fill(NURSE.id);
    await page.locator('#password').fill(account.password);
    await page.locator('#captcha').fill(CAPTCHA_ANSWER);
    await page.getByRole('button', { name: '登入', exact: true }).click();
    await page.waitForURL(`${server.url}/member`);
    await page.goto(`${server.url}/member/account`);
    await page.locator('#card-env-text', { hasText: 'HCA元件安裝成功' }).waitFor();
    await checkPage(page, 'account page link card');
    await verifyWithPin(page, PIN);
    await page.waitForURL(`${server.url}/member/account`);
    await page.getByRole('button', { name: '取消連結醫事人員卡' }).waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(NURSE.name));
    await checkPage(page, 'account page card linked');

    // A new browser session: a wrong PIN is explained next to the field, then the card signs in.
    await browser.context.clearCookies();
    await openCardTab(page);
    await verifyWithPin(page, '000000');
    await page.locator('#card-pin-error', { hasText: 'PIN碼錯誤' }).waitFor();
    assert.equal(await page.locator('#card-pin').getAttribute('aria-invalid'), 'true');
    await checkPage(page, 'card wrong PIN');
    await verifyWithPin(page, PIN);
    await page.waitForURL(`${server.url}/member`);
    assert.match(await page.locator('main').innerText(), new RegExp(NURSE.name));
    await checkPage(page, 'card signed in');

    // Her live sessions: this card sign-in, and the password sign-in from before the cookies
    // were cleared, which the server still holds. Checked at 1280 px and, in a second tab of
    // the same browser, at 390 px.
    await page.goto(`${server.url}/member/account`);
    const sessions = page.locator('.session-item');
    assert.equal(await sessions.count(), 2);
    const current = sessions.filter({ hasText: '（此瀏覽器）' });
    assert.match(await current.innerText(), /登入方式\s*醫事人員卡/);
    const earlier = sessions.filter({ hasNotText: '（此瀏覽器）' });
    assert.match(await earlier.innerText(), /登入方式\s*密碼/);
    // Headless Chromium names itself "HeadlessChrome/<version>" on Linux: Chrome, on Linux.
    assert.match(await current.locator('.session-name').innerText(), /^Chrome \d+ · Linux/);
    await checkPage(page, 'account page live sessions');
    const phone = await newWatchedPage(browser.context, PHONE);
    await phone.goto(`${server.url}/member/account`);
    await checkPage(phone, 'account page live sessions phone');

    // She ends the password sign-in with her password: only this one is left.
    await earlier.getByLabel('目前的密碼').fill(account.password);
    await earlier.getByRole('button', { name: '結束此登入' }).click();
    await page.locator('[role=status]', { hasText: '已結束該登入。' }).waitFor();
    assert.equal(await page.locator('.session-item').count(), 1);
    await checkPage(page, 'account page session ended');

    // A wrong password on "end all other sign-ins", at phone width: named next to the field
    // and in the summary above, which leads to it.
    await phone.locator('#end-all-password').fill('not her password');
    await phone.getByRole('button', { name: '結束其他所有登入' }).click();
    await phone.locator('#end-all-password-error', { hasText: '目前的密碼不正確' }).waitFor();
    assert.equal(await phone.locator('#end-all-password').getAttribute('aria-invalid'), 'true');
    assert.equal(await phone.locator('#form-alert a').getAttribute('href'), '#end-all-password');
    await checkPage(phone, 'account page wrong password phone');
    await phone.close();

    // The PIN never reached the agent's log.
    assert.ok(!agent.log().includes(PIN), 'the PIN is not in the agent log');
  });

  test('the card tab is usable at phone width and says so when the component is not running', async () => {
    const page = await freshPage(PHONE);
    await openCardTab(page);
    await checkPage(page, 'card tab phone');

    await agent.stop();
    agent = null;
    await page.reload();
    await page.locator('#card-env-text', { hasText: '尚未安裝元件或未啟動ServiSign元件' }).waitFor();
    // The refused connections to the stopped agent are expected here, so only axe is checked.
    await checkPage(page, 'card component missing', { problems: false });
  });
});
