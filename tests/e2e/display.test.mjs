// The lobby display (`/display`, served by sepiion-server) on a 1920×1080 screen in Debian's
// chromium through playwright-core, on a busy day: ten public items of the Bupati today, the
// browser's clock fixed inside the day (the page marks what runs now from the browser's clock).
// It proves what a lobby needs: the item running now and the next one are on screen, tentative
// items are marked, past items stay readable (contrast at least 4.5:1 against their panel), the
// English page speaks English (also when the connection is lost), and it saves a picture.
//
// Run through tests/e2e/run, or alone (see COMMON): node --test display.test.mjs with
// SEPIION_SERVER_BIN set. Screenshots: target/e2e-artifacts/display; with
// DISPLAY_SCREENSHOTS=DIR also the README's picture into DIR (docs/screenshots):
// display-hari-sibuk.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, createWriteStream, copyFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { SERVER_BIN, CHROMIUM, ARTIFACTS, PASSWORD, freePort, waitFor, witaDate, witaInstant } from './lib/harness.mjs';

const OUT = path.join(ARTIFACTS, 'display');
const SHOTS = process.env.DISPLAY_SCREENSHOTS;
const SCREEN = { width: 1920, height: 1080 };
const TODAY = witaDate(0);
const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: 30_000,
};

// Ten items of 50 minutes from 07.00 WITA; at 11.30 the fifth runs and the sixth (tentative)
// is next. Titles as long as real ones.
const DAY = [
  ['07:00', 'Apel pagi dan pembinaan ASN di halaman Kantor Bupati', 'Halaman Kantor Bupati'],
  ['08:00', 'Rapat koordinasi persiapan Hari Ulang Tahun Kota Semarapura', 'Ruang Rapat Praja Mandala'],
  ['09:00', 'Penyerahan bantuan bedah rumah bagi warga kurang mampu', 'Desa Gelgel'],
  ['10:00', 'Audiensi Himpunan Pengusaha Muda Indonesia Kabupaten', 'Ruang Kerja Bupati'],
  ['11:00', 'Pembukaan Pameran UMKM dan Produk Unggulan Daerah', 'Gedung Mahalaya Semarapura'],
  ['12:00', 'Peninjauan pembangunan Pasar Umum Galiran tahap kedua', 'Pasar Umum Galiran', 'tentative'],
  ['13:00', 'Ramah tamah dengan tokoh adat se-Kecamatan Banjarangkan', 'Wantilan Desa Tusan'],
  ['14:00', 'Penandatanganan nota kesepahaman dengan universitas', 'Ruang Rapat Praja Mandala'],
  ['15:00', 'Sosialisasi pencegahan stunting bersama kader posyandu', 'Puskesmas Klungkung I', 'tentative'],
  ['16:00', 'Persembahyangan bersama di Pura Taman Kertha Gosa', 'Kertha Gosa'],
];
const end50 = (hhmm) => {
  const [h, m] = hhmm.split(':').map(Number);
  return `${String(h).padStart(2, '0')}:${String(m + 50).padStart(2, '0')}`;
};

let server;
let base;
let browser;

async function api(method, url, { token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${url}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  const db = path.join(OUT, 'display.db');
  execFileSync(SERVER_BIN, ['demo', '--db', db, '--force'], { timeout: 60_000 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(path.join(OUT, 'server.log'));
  server = spawn(SERVER_BIN, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  await waitFor('the server', async () => (await fetch(`${base}/healthz`)).ok);
  browser = await chromium.launch(LAUNCH);

  // The Bupati's day is ours: the demo's items of today are cancelled (the display leaves
  // cancelled items out), then the ten items are entered.
  const { token } = await api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: PASSWORD } });
  const demo = await api('GET', `/api/v1/staff/agenda?from=${TODAY}&to=${TODAY}&leader=bupati`, { token });
  for (const item of demo) {
    if (item.status === 'cancelled') continue;
    await api('POST', `/api/v1/staff/agenda/${item.id}/cancel`, { token, body: { reason: 'Diganti jadwal uji' } });
  }
  for (const [start, title, location, status] of DAY) {
    await api('POST', '/api/v1/staff/agenda', {
      token,
      body: {
        leader_id: 'bupati', title, location, category: 'kegiatan',
        starts_at: witaInstant(TODAY, start), ends_at: witaInstant(TODAY, end50(start)),
        visibility: 'public', status: status ?? 'confirmed', attendance: 'in_person',
      },
    });
  }
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

/** The display at 1920×1080 with the browser's clock at `hhmm` WITA today. */
async function display(hhmm, query = '') {
  const context = await browser.newContext({ viewport: SCREEN, locale: 'id-ID', timezoneId: 'Asia/Makassar' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[display page error] ${e.message}`));
  await page.clock.install({ time: new Date(witaInstant(TODAY, hhmm)) });
  await page.goto(`${base}/display${query}`);
  await page.waitForSelector('ol.items');
  return page;
}

/** The Bupati's column's item with this title. */
const item = (page, title) => page.locator('section.leader')
  .filter({ has: page.locator('h2', { hasText: /^Bupati / }) })
  .locator('li.item', { hasText: title });

async function insideScreen(page, title) {
  const li = item(page, title);
  assert.ok(await li.isVisible(), `${title} is shown`);
  const box = await li.boundingBox();
  assert.ok(box, title);
  assert.ok(box.y >= 0 && box.y + box.height <= SCREEN.height, `${title} inside 1080 px: ${JSON.stringify(box)}`);
  assert.ok(box.x >= 0 && box.x + box.width <= SCREEN.width, `${title} inside 1920 px: ${JSON.stringify(box)}`);
}

/** WCAG contrast of an element's text against its leader panel, opacity included. */
function contrast(locator) {
  return locator.evaluate((el) => {
    const rgb = (s) => s.match(/[\d.]+/g).map(Number);
    const panel = rgb(getComputedStyle(el.closest('section.leader')).backgroundColor);
    let fg = rgb(getComputedStyle(el).color);
    let alpha = fg.length > 3 ? fg[3] : 1;
    for (let e = el; e && e !== document.body; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const seen = [0, 1, 2].map((i) => alpha * fg[i] + (1 - alpha) * panel[i]);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [a, b] = [lum(seen), lum(panel)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}

test('at 11.30 on a busy day the running item and the next are on screen, tentative ones marked', async () => {
  const page = await display('11:30');
  const running = item(page, 'Pembukaan Pameran UMKM');
  assert.match(await running.getAttribute('class'), /\bcurrent\b/);
  assert.equal(await page.locator('li.item.current').count() >= 1, true);
  await insideScreen(page, 'Pembukaan Pameran UMKM');
  await insideScreen(page, 'Peninjauan pembangunan Pasar Umum Galiran');
  // What is over makes room; nothing after the running item is hidden.
  assert.equal(await item(page, 'Apel pagi').isVisible(), false);
  for (const [, title] of DAY.slice(4)) {
    assert.doesNotMatch(await item(page, title).getAttribute('class'), /\bgone\b/, title);
  }
  // Tentative items say so, in words.
  for (const title of ['Peninjauan pembangunan Pasar Umum Galiran', 'Sosialisasi pencegahan stunting']) {
    const tag = item(page, title).locator('.tag');
    assert.equal((await tag.textContent()).trim(), 'Sementara', title);
  }
  assert.ok(await item(page, 'Peninjauan pembangunan Pasar Umum Galiran').locator('.tag').isVisible());
  assert.equal(await item(page, 'Penandatanganan nota').locator('.tag').count(), 0);
  assert.match(await page.locator('#clock').textContent(), /^11\.30 WITA$/);

  const file = path.join(OUT, 'display-hari-sibuk.png');
  await page.screenshot({ path: file });
  if (SHOTS) copyFileSync(file, path.join(SHOTS, 'display-hari-sibuk.png'));
  await page.context().close();
});

test('between two items the last one over stays, dimmed yet readable (≥ 4.5:1)', async () => {
  const page = await display('11:55');
  const past = item(page, 'Pembukaan Pameran UMKM');
  assert.match(await past.getAttribute('class'), /\bpast\b/);
  assert.ok(await past.isVisible(), 'the last item over is shown when nothing runs');
  await insideScreen(page, 'Peninjauan pembangunan Pasar Umum Galiran');
  for (const part of ['.time', '.title', '.place']) {
    const ratio = await contrast(past.locator(part));
    assert.ok(ratio >= 4.5, `past ${part}: ${ratio.toFixed(2)}:1`);
  }
  // Dimmed: less contrast than an item still ahead.
  const ahead = await contrast(item(page, 'Ramah tamah').locator('.title'));
  const dimmed = await contrast(past.locator('.title'));
  assert.ok(dimmed < ahead, `past ${dimmed.toFixed(2)} vs ahead ${ahead.toFixed(2)}`);
  await page.context().close();
});

test('the English display speaks English, also when the connection is lost', async () => {
  const page = await display('11:30', '?lang=en');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  const tag = item(page, 'Peninjauan pembangunan Pasar Umum Galiran').locator('.tag');
  assert.equal((await tag.textContent()).trim(), 'Tentative');
  assert.match(await page.locator('#clock').textContent(), /^11:30 WITA$/);
  assert.equal(await page.locator('footer .stale').isVisible(), false);
  // The minute's refresh fails: the footer says so, in English.
  await page.route('**/display/today.json*', (route) => route.abort());
  await page.clock.fastForward(61_000);
  await waitFor('the stale note', () => page.locator('footer .stale').isVisible(), { timeoutMs: 10_000 });
  const footer = await page.locator('footer').innerText();
  assert.match(footer, /connection lost/);
  assert.doesNotMatch(footer, /koneksi|terputus/);
  await page.screenshot({ path: path.join(OUT, 'display-en-stale.png') });
  await page.context().close();
});
