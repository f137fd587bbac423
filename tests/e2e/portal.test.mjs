// End-to-end scenarios of the public web portal (server-rendered pages of sepiion-server) in
// Debian's chromium through playwright-core: the agenda by week and leader, a submission with an
// attachment and a validation error on the way, tracking by code, staff approval through the API
// showing on Lacak and Jadwal, a keyboard-only submission, axe-core on every page in both
// languages, no horizontal scrolling at 320 px, and an OPD clerk answering staff (a proposed time,
// then information with a new letter) through the private answer link. The scenarios build on each other and run in
// order against one server with demo data.
//
// Run through tests/e2e/run (after scenarios.test.mjs). Screenshots: target/e2e-artifacts/portal;
// with PORTAL_SCREENSHOTS=DIR also the README's pictures into DIR (docs/screenshots).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { SERVER_BIN, CHROMIUM, ARTIFACTS, PASSWORD, freePort, waitFor, witaDate, witaInstant } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const OUT = path.join(ARTIFACTS, 'portal');
const SHOTS = process.env.PORTAL_SCREENSHOTS;
const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const DAY = witaDate(9);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: 30_000,
};

let server;
let base;
let browser;
let code; // the tracking code of the request submitted in scenario 2
const title = `Pembukaan Festival Layang-layang ${RUN}`;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  const db = path.join(OUT, 'portal.db');
  execFileSync(SERVER_BIN, ['demo', '--db', db, '--force'], { timeout: 60_000 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(path.join(OUT, 'server.log'));
  server = spawn(SERVER_BIN, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`], {
    env: { ...process.env, SEPIION_SUBMISSIONS_PER_HOUR: '1000', SEPIION_REGISTRATIONS_PER_HOUR: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  await waitFor('the server', async () => (await fetch(`${base}/healthz`)).ok);
  browser = await chromium.launch(LAUNCH);
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.on('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  }
});

async function api(method, p, { token, body } = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const login = async (username) => (await api('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } })).token;

async function newPage({ lang = 'id', width = 360, height = 800, bypassCSP = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: lang === 'en' ? 'en-US' : 'id-ID',
    extraHTTPHeaders: { 'Accept-Language': lang === 'en' ? 'en-US,en;q=0.9' : 'id-ID,id;q=0.9' },
    bypassCSP,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

/** Serious and critical axe-core findings on the page as it is now. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function fillForm(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`[name="${name}"]`);
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') {
      await field.selectOption(value);
    } else {
      await field.fill(value);
    }
  }
}

const FORM = {
  kind: 'undangan',
  leader_id: 'bupati',
  title,
  description: 'Mohon Bapak Bupati berkenan membuka festival layang-layang tradisional.',
  location: 'Pantai Jumpai, Klungkung',
  organizer: 'Sekaa Layangan Jumpai',
  leader_role: 'membuka acara',
  expected_attendees: '400',
  start_date: DAY,
  start_time: '15:00',
  end_time: '17:30',
  requester_name: 'I Ketut Darma',
  requester_phone: '0819 1234 5678',
};

test('1. the agenda by week and by leader', async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Jadwal Pimpinan' }).waitFor());
  assert.equal(await page.locator('a.seg[aria-current="true"]').first().textContent(), 'Minggu');
  // Seven days, Monday to Sunday, written the Indonesian way.
  const days = await page.locator('section.day h3').allTextContents();
  assert.equal(days.length, 7);
  assert.match(days[0], /^Senin, \d{1,2} \w+ \d{4}$/);
  assert.match(days[6], /^Minggu, /);
  await shot(page, 'jadwal-week');

  await page.getByRole('link', { name: 'Wakil Bupati Klungkung' }).click();
  await page.waitForURL(/leader=wakil_bupati/);
  const who = await page.locator('article.card p.muted').allTextContents();
  assert.ok(who.length > 0, 'the Wakil Bupati has public items this week');
  assert.ok(who.every((t) => t.startsWith('Wakil Bupati Klungkung')), who.join(' | '));

  await page.getByRole('link', { name: /Minggu berikutnya/ }).click();
  await page.waitForURL(/leader=wakil_bupati/);
  const next = await page.locator('section.day h3').first().textContent();
  assert.notEqual(next, days[0]);
  await page.getByRole('link', { name: 'Hari', exact: true }).click();
  await page.waitForURL(/view=day/);
  assert.ok((await page.locator('h2.range').textContent()).match(/^\w+, \d{1,2} \w+ \d{4}$/));
  await page.context().close();
});

test('2. a request with an attachment, after a validation error that keeps every value', async () => {
  const page = await newPage();
  await page.goto(`${base}/ajukan`);
  await fillForm(page, { ...FORM, description: 'Singkat' });
  await page.setInputFiles('#attachment', { name: 'undangan.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByRole('button', { name: 'Kirim permohonan' }).click();
  const summary = page.locator('#errors');
  await summary.waitFor();
  assert.match(await summary.textContent(), /Maksud dan uraian kegiatan: Terlalu pendek/);
  assert.match(await page.locator('#description-error').textContent(), /Terlalu pendek/);
  assert.equal(await page.locator('#description').getAttribute('aria-invalid'), 'true');
  for (const [name, value] of Object.entries({ ...FORM, description: 'Singkat' })) {
    assert.equal(await page.locator(`[name="${name}"]`).inputValue(), value, `${name} kept`);
  }
  await shot(page, 'ajukan-errors');

  await page.locator('#description').fill(FORM.description);
  await page.setInputFiles('#attachment', { name: 'undangan.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByRole('button', { name: 'Kirim permohonan' }).click();
  await page.waitForURL(/\/ajukan\/terkirim\//);
  code = (await page.locator('#code').textContent()).trim();
  assert.match(code, /^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/);
  assert.match(await page.getByRole('link', { name: 'Bagikan lewat WhatsApp' }).getAttribute('href'), new RegExp(`^https://wa\\.me/\\?text=.*${code}`));
  // JavaScript on: the copy button appears (progressive enhancement from portal.js).
  assert.ok(await page.getByRole('button', { name: 'Salin kode' }).isVisible());
  await shot(page, 'terkirim');

  // The staff see it with its letter.
  const admin = await login('admin');
  const inbox = await api('GET', '/api/v1/staff/requests', { token: admin });
  const r = inbox.entries.map((e) => e.request).find((x) => x.tracking_code === code);
  assert.equal(r.title, title);
  const detail = await api('GET', `/api/v1/staff/requests/${r.id}`, { token: admin });
  assert.equal(detail.request.attachments.length, 1);
  assert.equal(detail.request.attachments[0].content_type, 'application/pdf');
  await page.context().close();
});

test('3. tracking by code, typed in lower case without the dash', async () => {
  const page = await newPage();
  await page.goto(`${base}/lacak`);
  await page.getByLabel('Kode pelacakan').fill(code.toLowerCase().replaceAll('-', ''));
  await page.getByRole('button', { name: 'Lacak' }).click();
  await page.waitForURL(new RegExp(`/lacak/${code}$`));
  assert.equal(await page.locator('.state').textContent(), 'Diajukan');
  assert.equal(await page.locator('#tracked-title').textContent(), title);
  await shot(page, 'lacak');
  await page.context().close();
});

test('4. staff approve through the API: Lacak says Disetujui, Jadwal shows the item', async () => {
  const protokol = await login('protokol');
  const ajudan = await login('ajudan.bupati');
  const inbox = await api('GET', '/api/v1/staff/requests', { token: protokol });
  const id = inbox.entries.map((e) => e.request).find((x) => x.tracking_code === code).id;
  for (const [token, action] of [[protokol, 'start_review'], [protokol, 'forward_to_leader'], [ajudan, 'approve']]) {
    await api('POST', `/api/v1/staff/requests/${id}/transitions`, { token, body: { action } });
  }
  const page = await newPage();
  await page.goto(`${base}/lacak/${code}`);
  assert.equal(await page.locator('.state').textContent(), 'Disetujui');
  const steps = await page.locator('.timeline strong').allTextContents();
  assert.deepEqual(steps, ['Diajukan', 'Ditinjau', 'Menunggu keputusan pimpinan', 'Disetujui']);
  await page.goto(`${base}/?view=day&date=${DAY}&leader=bupati`);
  const card = page.locator('article.card', { hasText: title });
  await card.waitFor();
  assert.match(await card.textContent(), /15\.00–17\.30 WITA/);
  await page.context().close();
});

test('5. a submission with the keyboard only, in the natural focus order', async () => {
  const page = await newPage({ lang: 'en' });
  await page.goto(`${base}/ajukan`);
  const order = ['kind', 'leader_id', 'title', 'description', 'location', 'organizer', 'leader_role',
    'expected_attendees', 'dress_code', 'letter_number', 'start_date', 'start_time', 'end_date', 'end_time',
    'requester_name', 'requester_phone', 'requester_email', 'attachment'];
  // From the top of the page to the first field: skip link, brand, language, four menu entries.
  let presses = 0;
  while ((await page.evaluate(() => document.activeElement?.id)) !== 'kind') {
    await page.keyboard.press('Tab');
    assert.ok(++presses < 12, 'the form is reached within a few Tab presses');
  }
  const typed = {
    title: `Audiensi Karang Taruna ${RUN}`,
    description: 'We would like to present our youth programme to the Regent.',
    location: 'Kantor Bupati Klungkung',
    organizer: 'Karang Taruna Semarapura',
    leader_role: 'receive the delegation',
    expected_attendees: '15',
    requester_name: 'Ni Kadek Ayu',
    requester_phone: '0812 9876 5432',
  };
  const [y, m, d] = witaDate(15).split('-');
  for (const name of order) {
    assert.equal(await page.evaluate(() => document.activeElement?.id), name, 'focus order');
    if (name === 'kind') await page.keyboard.press('ArrowDown'); // Audiensi
    else if (name === 'start_date') await page.keyboard.type(`${m}${d}${y}`);
    else if (name === 'start_time') await page.keyboard.type('1000AM');
    else if (name === 'end_time') await page.keyboard.type('1100AM');
    else if (typed[name]) await page.keyboard.type(typed[name]);
    // Date and time inputs have a Tab stop per part: Tab until the focus leaves the field.
    for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement?.id)) === name; i++) {
      await page.keyboard.press('Tab');
    }
  }
  assert.equal(await page.locator('#start_date').inputValue(), `${y}-${m}-${d}`);
  assert.equal(await page.locator('#start_time').inputValue(), '10:00');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Send request');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ajukan\/terkirim\//);
  assert.match(await page.locator('#code').textContent(), /^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/);
  await page.context().close();
});

test('6. axe-core: no serious or critical violation on any page, in both languages', async () => {
  const pages = ['/', '/?view=day', '/ajukan', '/lacak', `/lacak/${code}`, `/ajukan/terkirim/${code}`, '/tentang', '/lacak/ZZZZ-ZZZZ-ZZZZ'];
  const found = [];
  for (const lang of ['id', 'en']) {
    const page = await newPage({ lang, bypassCSP: true });
    for (const p of pages) {
      await page.goto(`${base}${p}`);
      for (const v of await axeViolations(page)) found.push(`${lang} ${p}: ${v}`);
    }
    // The form's error state.
    await page.goto(`${base}/ajukan`);
    await page.locator('button[type="submit"]').click();
    await page.locator('#errors').waitFor();
    for (const v of await axeViolations(page)) found.push(`${lang} /ajukan (errors): ${v}`);
    await page.context().close();
  }
  assert.deepEqual(found, []);
});

test('7. every page fits 320 px without sideways scrolling; screenshots at phone and desktop width', async () => {
  const pages = { jadwal: '/', ajukan: '/ajukan', lacak: `/lacak/${code}`, terkirim: `/ajukan/terkirim/${code}`, tentang: '/tentang' };
  const narrow = await newPage({ width: 320 });
  for (const [name, p] of Object.entries(pages)) {
    await narrow.goto(`${base}${p}`);
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `${name} scrolls sideways at 320 px`);
  }
  await narrow.context().close();
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, width, height] of [['phone', 360, 780], ['desktop', 1280, 860]]) {
    const page = await newPage({ width, height });
    for (const [name, p] of Object.entries(pages)) {
      await page.goto(`${base}${p}`);
      await page.screenshot({ path: path.join(SHOTS, `portal-${name}-${size}.png`), fullPage: size === 'desktop' });
    }
    await page.goto(`${base}/ajukan`);
    await page.locator('#title').fill('Malam');
    await page.locator('button[type="submit"]').click();
    await page.locator('#errors').waitFor();
    await page.screenshot({ path: path.join(SHOTS, `portal-ajukan-errors-${size}.png`) });
    await page.context().close();
  }
});

/** A screenshot into the artifacts and, with PORTAL_SCREENSHOTS, into the README's pictures. */
async function docShot(page, name) {
  await shot(page, name);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `portal-${name}.png`), fullPage: true });
  }
}

test('8. an OPD clerk answers through the private answer link: a proposed time, then information with a new letter', async () => {
  // Submitted at the office PC; the "sent" page hands over the private answer link.
  const office = await newPage();
  await office.goto(`${base}/ajukan`);
  const clerkTitle = `Rapat Koordinasi Dinas Pendidikan ${RUN}`;
  await fillForm(office, { ...FORM, title: clerkTitle, organizer: 'Dinas Pendidikan Kabupaten' });
  await office.getByRole('button', { name: 'Kirim permohonan' }).click();
  await office.waitForURL(/\/ajukan\/terkirim\//);
  const clerkCode = (await office.locator('#code').textContent()).trim();
  const link = await office.locator('#answer-link').getAttribute('href');
  assert.match(link, /\/jawab\/[0-9a-f]{64}$/);
  assert.match(await office.getByRole('link', { name: 'Kirim tautan jawaban ke WhatsApp saya' }).getAttribute('href'), /^https:\/\/wa\.me\/\?text=.*jawab/);
  await docShot(office, 'terkirim-tautan-jawaban');
  await office.context().close();

  // Staff propose another time.
  const protokol = await login('protokol');
  const inbox = await api('GET', '/api/v1/staff/requests', { token: protokol });
  const id = inbox.entries.map((e) => e.request).find((x) => x.tracking_code === clerkCode).id;
  const transition = (body) => api('POST', `/api/v1/staff/requests/${id}/transitions`, { token: protokol, body });
  const state = async () => (await api('GET', `/api/v1/staff/requests/${id}`, { token: protokol })).request;
  await transition({ action: 'start_review' });
  const day = witaDate(11);
  await transition({
    action: 'propose_time', reason: 'Pagi hari pimpinan menghadiri rapat paripurna.',
    proposed_starts_at: witaInstant(day, '13:00'), proposed_ends_at: witaInstant(day, '15:00'),
  });

  // Whoever knows only the code reads, and is told how to answer.
  const reader = await newPage();
  await reader.goto(`${base}/lacak/${clerkCode}`);
  assert.equal(await reader.getByRole('button', { name: 'Terima usulan waktu' }).count(), 0);
  assert.match(await reader.locator('#jawaban').textContent(), /tautan jawaban pribadi/);
  await reader.context().close();

  // The clerk, on a phone, opens the link and accepts; the answer shows where they look.
  const phone = await newPage({ width: 360, height: 780, bypassCSP: true });
  await phone.goto(link);
  await phone.getByRole('heading', { name: 'Jawab petugas' }).waitFor();
  assert.deepEqual(await axeViolations(phone), [], 'the answer page passes axe-core');
  assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  await docShot(phone, 'jawab-usulan-waktu');
  await phone.getByRole('button', { name: 'Terima usulan waktu' }).click();
  await phone.waitForURL(/selesai=accept/);
  const accepted = phone.locator('#jawaban [role="status"]');
  assert.equal((await accepted.textContent()).trim(), 'Usulan waktu diterima. Permohonan diproses lebih lanjut oleh petugas.');
  const inView = (loc) => loc.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; });
  assert.ok(await inView(accepted), 'the confirmation is in the viewport');
  let r = await state();
  assert.equal(r.state, 'in_review');
  assert.equal(r.starts_at, witaInstant(day, '13:00'));

  // Staff ask for the signed letter; the clerk supplies it with the new letter, tapping twice.
  await transition({ action: 'request_info', reason: 'Mohon lampirkan surat undangan yang sudah ditandatangani.' });
  await phone.goto(link);
  assert.match(await phone.locator('.tracked').textContent(), /surat undangan yang sudah ditandatangani/);
  await phone.locator('#info').fill('Surat undangan bertanda tangan Kepala Dinas terlampir.');
  await phone.setInputFiles('#attachment', { name: 'undangan-ttd.pdf', mimeType: 'application/pdf', buffer: PDF });
  await docShot(phone, 'jawab-lengkapi');
  await phone.getByRole('button', { name: 'Kirim kelengkapan' }).dblclick();
  await phone.waitForURL(/selesai=info/);
  const supplied = phone.locator('#jawaban [role="status"]');
  assert.equal((await supplied.textContent()).trim(), 'Kelengkapan terkirim. Permohonan kembali ditinjau petugas.');
  assert.ok(await inView(supplied), 'the confirmation is in the viewport');
  r = await state();
  assert.equal(r.state, 'in_review');
  assert.deepEqual(r.attachments.map((a) => a.filename), ['undangan-ttd.pdf'], 'one letter, however often tapped');
  const timeline = await api('GET', `/api/v1/public/track/${clerkCode}`);
  assert.equal(timeline.timeline.filter((e) => e.to === 'in_review').length, 3, 'review, accepted time, supplied information');
  await phone.context().close();
});
