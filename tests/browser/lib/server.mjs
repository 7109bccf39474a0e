// Starts the real `huzhu serve --demo` binary on a free loopback port with a fresh data folder,
// and stops it again by its process id.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The binary under test: HUZHU_BIN, or the workspace's debug build. */
export const huzhuBin = process.env.HUZHU_BIN
  ? resolve(process.env.HUZHU_BIN)
  : resolve(here, '../../../target/debug/huzhu');

/** What the tests type into the captcha field; the server is told to accept it. */
export const CAPTCHA_ANSWER = 'TEST42';

/** A port nothing listens on right now (the kernel picks it). */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * This process's environment without any HUZHU_* variable: the server reads every one as a
 * setting (and refuses names it does not know, such as HUZHU_BIN), and a developer's own
 * settings, a database URL say, must not leak into the test server.
 */
export function environmentWithoutHuzhuSettings() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HUZHU_')));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the server and waits until /healthz answers 200.
 * Returns { url, dataDir, accounts: Map(id -> { password, name }), log(), stop() }.
 */
export async function startServer({ demoMembers = 200, timeoutMs = 180_000, settings = {} } = {}) {
  // Another process can take the port between our probe and the server's bind; try again then.
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(await freePort(), demoMembers, timeoutMs, settings);
    } catch (error) {
      lastError = error;
      if (!/address already in use|AddrInUse/i.test(String(error.message))) throw error;
    }
  }
  throw lastError;
}

async function startOnce(port, demoMembers, timeoutMs, settings) {
  const dataDir = await mkdtemp(join(tmpdir(), 'huzhu-browser-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(huzhuBin, ['serve', '--demo', '--demo-members', String(demoMembers)], {
    env: {
      ...environmentWithoutHuzhuSettings(),
      HUZHU_BIND: `127.0.0.1:${port}`,
      HUZHU_DATA_DIR: dataDir,
      HUZHU_CAPTCHA_FIXED: CAPTCHA_ANSWER,
      // The growing wait after a failed sign-in runs on the real clock here, and these tests
      // sign in right after a deliberate failure; the waits themselves are tested in
      // crates/web/tests/web/throttle.rs with a clock the tests move.
      HUZHU_SIGN_IN_DELAY_SECONDS: '0',
      // Extra HUZHU_* settings a test asks for (the card tests' trust files, say).
      ...settings,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // Keep everything the server says, to show it when something fails.
  let output = '';
  const accounts = new Map();
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    output += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      // Demo accounts are printed as "  <ID>  <password>  <name>".
      const match = /^\s+([A-Z][A-Z0-9]\d{8})\s+(\S+)\s+(.+?)\s*$/.exec(line);
      if (match) accounts.set(match[1], { password: match[2], name: match[3] });
    }
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let exited = null;
  const exit = new Promise((r) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    r(exited);
  }));
  child.on('error', (error) => {
    output += `\n${error}`;
  });

  // If the test process dies without reaching stop(), do not leave the server behind.
  const killOnExit = () => {
    if (exited === null) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (exited === null) process.kill(child.pid, 'SIGKILL');
      }, 10_000);
      await exit;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop();
      throw new Error(`huzhu exited (${JSON.stringify(exited)}) before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      // The account list is printed before the "listening" line: wait for that line too, so
      // the list is complete.
      if (response.status === 200 && output.includes('huzhu is listening on')) {
        return { url, dataDir, accounts, log: () => output, stop };
      }
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`huzhu was not ready within ${timeoutMs / 1000} s:\n${output}`);
}
