// The end-to-end harness: a real sepiion-server (demo data, its own SQLite file) and the
// sepiion-liveview binary on loopback ports, Debian's chromium driven by playwright-core, helpers
// for the server's HTTP API and for screenshots. Every wait is bounded.

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../../..');
const TARGET = process.env.CARGO_TARGET_DIR
  ? path.resolve(REPO, process.env.CARGO_TARGET_DIR)
  : path.join(REPO, 'target');
export const SERVER_BIN = process.env.SEPIION_SERVER_BIN || path.join(TARGET, 'debug/sepiion-server');
export const LIVEVIEW_BIN = process.env.SEPIION_LIVEVIEW_BIN || path.join(TARGET, 'debug/sepiion-liveview');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.E2E_ARTIFACTS || path.join(TARGET, 'e2e-artifacts');
export const PASSWORD = 'sepiion-demo';
export const VIEWPORT = { width: 390, height: 844 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nobody listens on (just freed). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value, at most `timeoutMs`. */
export async function waitFor(what, check, { timeoutMs = 30_000, everyMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** Runs a command to completion (bounded); rejects on a non-zero exit. */
function run(cmd, args, { timeoutMs = 60_000, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** A long-running child process with its output in a log file. */
class Proc {
  constructor(name, cmd, args, { env, logDir }) {
    this.name = name;
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
    this.child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, sleep(5_000)]);
    }
  }
}

/** The server, the liveview app and the browser of one test run. */
export class Env {
  /** `name`: a subdirectory of the artifacts for this test file (each file runs its own Env). */
  static async start(name = '') {
    const env = new Env();
    await env.#start(name);
    return env;
  }

  async #start(name) {
    this.artifacts = path.join(ARTIFACTS, name);
    rmSync(this.artifacts, { recursive: true, force: true });
    mkdirSync(this.artifacts, { recursive: true });
    this.work = path.join(this.artifacts, 'work');
    mkdirSync(this.work, { recursive: true });
    this.db = path.join(this.work, 'server.db');
    this.shot = 0;
    this.pages = new Set();
    // Demo data: staff accounts, leaders, representatives, an agenda and requests.
    await run(SERVER_BIN, ['demo', '--db', this.db]);
    this.serverPort = await freePort();
    this.serverUrl = `http://127.0.0.1:${this.serverPort}`;
    await this.startServer();
    this.appPort = await freePort();
    this.appUrl = `http://127.0.0.1:${this.appPort}`;
    this.app = new Proc(
      'liveview',
      LIVEVIEW_BIN,
      ['--addr', `127.0.0.1:${this.appPort}`, '--server-url', this.serverUrl, '--data-dir', path.join(this.work, 'devices')],
      { env: process.env, logDir: this.work },
    );
    await waitFor('the liveview app', async () => (await fetch(`${this.appUrl}/`)).ok);
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      timeout: 30_000,
    });
  }

  /** Starts (or restarts) the server on its port with the same database. */
  async startServer() {
    const env = {
      ...process.env,
      SEPIION_REGISTRATIONS_PER_HOUR: '100000',
      SEPIION_SUBMISSIONS_PER_HOUR: '100000',
      SEPIION_LOGIN_FAILURES: '100000',
    };
    this.server = new Proc(
      'server',
      SERVER_BIN,
      ['serve', '--db', this.db, '--addr', `127.0.0.1:${this.serverPort}`],
      { env, logDir: this.work },
    );
    await waitFor('the server', async () => {
      if (this.server.child.exitCode !== null) throw new Error('the server exited');
      return (await fetch(`${this.serverUrl}/healthz`)).ok;
    });
  }

  /** Starts the server unless it runs (a failed test may have left it stopped). */
  async ensureServer() {
    if (this.server.child.exitCode === null && this.server.child.signalCode === null) return;
    await this.startServer();
  }

  async stopServer() {
    await this.server.stop();
    // Nothing answers on the port any more.
    await waitFor('the server to be gone', async () => {
      try {
        await fetch(`${this.serverUrl}/healthz`);
        return false;
      } catch {
        return true;
      }
    });
  }

  async close() {
    await this.browser?.close().catch(() => {});
    await this.app?.stop();
    await this.server?.stop();
  }

  /** A new phone: its own browser context, and so its own liveview session and local store. */
  async device(variant, { viewport = VIEWPORT } = {}) {
    const context = await this.browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'Asia/Makassar' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    this.pages.add(page);
    page.on('close', () => this.pages.delete(page));
    page.on('pageerror', (e) => console.error(`[${variant} page error] ${e.message}`));
    await page.goto(`${this.appUrl}/${variant}/`);
    return page;
  }

  /** Saves a full-page screenshot as a test artifact, numbered in order. */
  async screenshot(page, name) {
    this.shot += 1;
    const file = path.join(this.artifacts, `${String(this.shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  /** A screenshot of every open phone. */
  async screenshotAll(name) {
    let n = 0;
    for (const page of this.pages) {
      n += 1;
      await this.screenshot(page, `${name}-${n}`).catch(() => {});
    }
  }

  // --- the server's API, for setting up and checking what the UI did ---

  async api(method, url, { token, body } = {}) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.serverUrl}${url}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async login(username) {
    const r = await this.api('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
    return r.token;
  }

  /** Every request on the server with this exact title (staff view). */
  async requestsTitled(token, title) {
    const inbox = await this.api('GET', '/api/v1/staff/requests', { token });
    return inbox.entries.map((e) => e.request).filter((r) => r.title === title);
  }
}

// --- steps every app journey takes ---

/** Taps a bottom tab of the app. */
export async function tab(page, name) {
  await page.locator('nav.tabs').getByRole('button', { name, exact: true }).click();
}

/** Signs a staff account in (demo password) and waits for its inbox. */
export async function staffLogin(page, username) {
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(PASSWORD);
  await page.getByRole('button', { name: 'Masuk', exact: true }).click();
  await page.getByRole('heading', { name: 'Kotak Masuk' }).waitFor();
}

/** Waits until the sync bar says online with nothing left to send. */
export async function waitSynced(page, what, timeoutMs = 60_000) {
  await waitFor(
    what,
    async () => {
      const bar = await page.locator('.syncbar').innerText();
      return bar.includes('Daring') && !bar.includes('belum terkirim');
    },
    { timeoutMs },
  );
}

/** A local date in WITA (UTC+8, no DST), `days` from today, as YYYY-MM-DD. */
export function witaDate(days) {
  const d = new Date(Date.now() + 8 * 3600_000 + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** An instant from a WITA local date and time. */
export function witaInstant(date, time) {
  return new Date(`${date}T${time}:00+08:00`).toISOString().replace('.000Z', 'Z');
}
