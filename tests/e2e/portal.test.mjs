// End-to-end scenarios of the public web portal (server-rendered pages of sepiion-server) in
// Debian's chromium through playwright-core: the agenda by week and leader, a submission with an
// attachment and a validation error on the way, tracking by code, staff approval through the API
// showing on Lacak and Jadwal, a keyboard-only submission, axe-core on every page in both
// languages, no horizontal scrolling at 320 px, and an OPD clerk answering staff (a proposed time,
// then information with a new letter) through the private answer link; then the portal on a phone
// with 200 % text: every page (both languages, answer-link pages, the sent page, error states) no
// wider than 360 px, no text cut off, no axe-core finding at all; the tracking code breaking only
// at its dashes; the copy button hidden without JavaScript or clipboard; the focus ring at least
// 3:1 against what surrounds it; Jadwal's first day near the top with today marked; the language
// switch on Ajukan keeping what was typed. The scenarios build on each other and run in order
// against one server with demo data.
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
import { horizontalOverflow, cutOffText } from './lib/screens.mjs';

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

async function newPage({ lang = 'id', width = 360, height = 800, bypassCSP = false, javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: lang === 'en' ? 'en-US' : 'id-ID',
    extraHTTPHeaders: { 'Accept-Language': lang === 'en' ? 'en-US,en;q=0.9' : 'id-ID,id;q=0.9' },
    bypassCSP,
    javaScriptEnabled,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

/** Every axe-core finding on the page as it is now (all its rules, every impact). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The root font size at `percent` of the portal's own (`:root` of the stylesheet), or back. */
async function textSize(page, percent) {
  await page.evaluate((p) => {
    const root = document.documentElement;
    root.style.fontSize = '';
    if (p !== 100) root.style.fontSize = `${(parseFloat(getComputedStyle(root).fontSize) * p) / 100}px`;
  }, percent);
}

/**
 * The checks of one page at 200 % text: no wider than the screen (the document's scroll width
 * and every element's right edge), no text wider than its box or clipped, no axe-core finding.
 */
async function audit200(page, where, problems) {
  await textSize(page, 200);
  try {
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
    }));
    if (scroll > client) problems.push(`${where}: scrollWidth ${scroll} > clientWidth ${client}`);
    const wide = await horizontalOverflow(page);
    if (wide) problems.push(`${where}: ${wide}`);
    for (const c of await cutOffText(page)) problems.push(`${where}: cut off ${c}`);
    for (const v of await axeViolations(page)) problems.push(`${where}: ${v}`);
    if (problems.some((p) => p.startsWith(`${where}:`))) await shot(page, `200-${where.replace(/[^a-z0-9]+/gi, '-')}`);
  } finally {
    await textSize(page, 100);
  }
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

  // The choices are folded into one line saying what is shown.
  const filters = page.locator('details.filters > summary');
  assert.equal((await filters.textContent()).trim(), 'Tampilan: Minggu · Semua pimpinan');
  assert.equal(await page.getByRole('link', { name: 'Wakil Bupati Klungkung' }).isVisible(), false);
  await filters.click();
  await page.getByRole('link', { name: 'Wakil Bupati Klungkung' }).click();
  await page.waitForURL(/leader=wakil_bupati/);
  const who = await page.locator('article.card p.muted').allTextContents();
  assert.ok(who.length > 0, 'the Wakil Bupati has public items this week');
  assert.ok(who.every((t) => t.startsWith('Wakil Bupati Klungkung')), who.join(' | '));

  await page.getByRole('link', { name: /Minggu berikutnya/ }).click();
  await page.waitForURL(/leader=wakil_bupati/);
  const next = await page.locator('section.day h3').first().textContent();
  assert.notEqual(next, days[0]);
  await page.locator('details.filters > summary').click();
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

test('6. axe-core: no violation at all on any page, in both languages', async () => {
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
    await page.locator('#ajukan-form button.primary').click();
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
  // The phone at 200 % text too (what WCAG 1.4.4 asks a page to survive), in a tall window.
  for (const [size, width, height, percent] of [['phone', 360, 780, 100], ['phone-200', 360, 1800, 200], ['desktop', 1280, 860, 100]]) {
    const page = await newPage({ width, height });
    for (const [name, p] of Object.entries(pages)) {
      await page.goto(`${base}${p}`);
      await textSize(page, percent);
      await page.screenshot({ path: path.join(SHOTS, `portal-${name}-${size}.png`), fullPage: size === 'desktop' });
    }
    await page.goto(`${base}/ajukan`);
    await page.locator('#title').fill('Malam');
    await page.locator('#ajukan-form button.primary').click();
    await page.locator('#errors').waitFor();
    await textSize(page, percent);
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
  // Within a pixel: scrolling to the anchor lands on whole pixels, the layout has fractions.
  const inView = (loc) => loc.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= -1 && r.bottom <= window.innerHeight + 1; });
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

/** Submits the request form in `page` (values of FORM with `overrides`); returns the code. */
async function submitRequest(page, overrides = {}) {
  await page.goto(`${base}/ajukan`);
  await fillForm(page, { ...FORM, ...overrides });
  await page.locator('#ajukan-form button[type="submit"]').click();
  await page.waitForURL(/\/ajukan\/terkirim\//);
  return (await page.locator('#code').textContent()).trim();
}

test('9. every page on a 360 px phone with 200 % text: no sideways scrolling, no text cut off, no axe-core finding', async () => {
  const problems = [];
  const protokol = await login('protokol');
  for (const lang of ['id', 'en']) {
    const page = await newPage({ lang, width: 360, height: 800, bypassCSP: true });
    const visit = async (name, p) => {
      if (p) await page.goto(`${base}${p}`);
      await audit200(page, `${lang} ${name}`, problems);
    };
    await visit('jadwal-minggu', '/');
    await page.locator('details.filters > summary').click();
    await visit('jadwal-pilihan-terbuka');
    await visit('jadwal-hari', `/?view=day&date=${DAY}&leader=bupati`);
    await visit('ajukan', '/ajukan');
    await page.locator('#ajukan-form button[type="submit"]').click();
    await page.locator('#errors').waitFor();
    await visit('ajukan-galat');
    await visit('lacak', '/lacak');
    await visit('lacak-kode-salah', '/lacak?code=12');
    await visit('lacak-tidak-ada', '/lacak/ZZZZ-ZZZZ-ZZZZ');
    await visit('lacak-hasil', `/lacak/${code}`);
    await visit('tentang', '/tentang');
    const items = await api('GET', `/api/v1/public/agenda?from=${witaDate(0)}&to=${witaDate(6)}`);
    assert.ok(items.length > 0, 'the demo data has public items this week');
    await visit('agenda-butir', `/agenda/${items[0].id}`);
    await visit('tidak-ditemukan', '/agenda/tidak-ada');
    await visit('jawab-tautan-salah', `/jawab/${'0'.repeat(64)}`);

    // A submission from this phone: the sent page with its answer link, then the answer pages.
    const mine = await submitRequest(page, { title: `Ngaben Massal Desa Adat ${lang} ${RUN}`, organizer: 'Penyelenggara (instansi/organisasi) Desa Adat Gelgel' });
    await visit('terkirim');
    const link = new URL(await page.locator('#answer-link').getAttribute('href')).pathname;
    const inbox = await api('GET', '/api/v1/staff/requests', { token: protokol });
    const id = inbox.entries.map((e) => e.request).find((x) => x.tracking_code === mine).id;
    const transition = (body) => api('POST', `/api/v1/staff/requests/${id}/transitions`, { token: protokol, body });
    await transition({ action: 'start_review' });
    const day = witaDate(12);
    await transition({
      action: 'propose_time', reason: 'Pagi hari pimpinan menghadiri rapat paripurna DPRD Kabupaten.',
      proposed_starts_at: witaInstant(day, '13:00'), proposed_ends_at: witaInstant(day, '15:00'),
    });
    await visit('jawab-usulan-waktu', link);
    await visit('lacak-pemohon-usulan-waktu', `/lacak/${mine}`);
    await page.locator('form:has(input[name="action"][value="cancel"]) button').click();
    await page.locator('input[name="confirm"]').waitFor({ state: 'attached' });
    await visit('jawab-batal-konfirmasi');
    await page.goto(`${base}${link}`);
    await page.locator('form:has(input[name="action"][value="decline"]) button').click();
    await page.locator('input[name="confirm"]').waitFor({ state: 'attached' });
    await visit('jawab-tolak-konfirmasi');
    await page.goto(`${base}${link}`);
    await page.locator('form:has(input[name="action"][value="accept"]) button').click();
    await page.waitForURL(/selesai=accept/);
    await visit('jawab-diterima');
    await transition({ action: 'request_info', reason: 'Mohon lampirkan surat undangan yang sudah ditandatangani.' });
    await visit('jawab-lengkapi', link);
    await page.locator('#info').fill('   ');
    await page.locator('form:has(input[name="action"][value="info"]) button').click();
    await page.locator('#info-error').waitFor();
    await visit('jawab-lengkapi-galat');
    await page.context().close();
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

/** The characters of `#code` after which a line ends (from the rendered line boxes). */
function codeBreaks(page) {
  return page.evaluate(() => {
    const el = document.getElementById('code');
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.length; i++) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        chars.push({ c: n.data[i], top: Math.round(r.getBoundingClientRect().top) });
      }
    }
    const after = [];
    for (let i = 1; i < chars.length; i++) if (chars[i].top > chars[i - 1].top) after.push(chars.slice(0, i).map((x) => x.c).join(''));
    const box = el.getBoundingClientRect();
    return { text: chars.map((x) => x.c).join(''), after, fits: box.right <= document.documentElement.clientWidth };
  });
}

test('10. the tracking code breaks only at its dashes on a 320 px screen, at normal and at 200 % text', async () => {
  const page = await newPage({ width: 320, height: 700 });
  await page.goto(`${base}/ajukan/terkirim/${code}`);
  let broke = 0;
  for (const percent of [100, 200]) {
    await textSize(page, percent);
    const { text, after, fits } = await codeBreaks(page);
    assert.equal(text, code, 'the code reads (and copies) as itself');
    assert.ok(fits, `the code fits the screen at ${percent} %`);
    for (const line of after) assert.ok(line.endsWith('-'), `at ${percent} % a line ends inside a group: "${line}" / "${text.slice(line.length)}"`);
    broke += after.length;
  }
  assert.ok(broke > 0, 'at 320 px the code does not fit one line, so the test saw it break');
  await page.context().close();
});

test('11. "Salin kode" is shown only where it works: not without JavaScript, not without a clipboard', async () => {
  const noJs = await newPage({ javaScriptEnabled: false });
  await noJs.goto(`${base}/ajukan/terkirim/${code}`);
  assert.equal(await noJs.locator('button[data-copy]').count(), 1);
  assert.equal(await noJs.locator('button[data-copy]').isVisible(), false, 'a dead button without JavaScript');
  assert.ok(await noJs.locator('#code').isVisible());
  await noJs.context().close();

  const noClipboard = await newPage();
  await noClipboard.context().addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
  });
  await noClipboard.goto(`${base}/ajukan/terkirim/${code}`);
  await noClipboard.waitForLoadState('load');
  assert.equal(await noClipboard.evaluate(() => navigator.clipboard), undefined);
  assert.equal(await noClipboard.locator('button[data-copy]').isVisible(), false, 'a dead button without navigator.clipboard');
  await noClipboard.context().close();

  // With both, it is there and copies the code.
  const full = await newPage();
  await full.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await full.goto(`${base}/ajukan/terkirim/${code}`);
  await full.getByRole('button', { name: 'Salin kode' }).click();
  await waitFor('the copy confirmation', async () => (await full.locator('#copy-status').textContent()) === 'Kode disalin.', { timeoutMs: 5_000 });
  assert.equal(await full.evaluate(() => navigator.clipboard.readText()), code);
  await full.context().close();
});

/** WCAG contrast ratio of two CSS colours (rgb()/rgba() strings from getComputedStyle). */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('12. the focus ring has at least 3:1 against the background around it, on every element Tab reaches', async () => {
  const page = await newPage({ width: 1280, height: 900 });
  const low = [];
  let seen = 0;
  for (const p of ['/', '/ajukan', `/ajukan/terkirim/${code}`, `/lacak/${code}`, '/tentang']) {
    await page.goto(`${base}${p}`);
    const visited = new Set();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        // The ring lies outside the element (a positive offset): next to the background the
        // element stands on; inside it (a negative offset): on the element's own background.
        const opaque = (c) => c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c);
        let from = parseFloat(s.outlineOffset) < 0 ? el : el.parentElement;
        let bg = null;
        for (let a = from; a && !bg; a = a.parentElement) {
          const c = getComputedStyle(a).backgroundColor;
          if (opaque(c)) bg = c;
        }
        const key = `${el.tagName} ${el.id} ${el.getAttribute('href') || ''} ${el.textContent.trim().slice(0, 30)}`;
        return { key, style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, bg: bg || 'rgb(255, 255, 255)' };
      });
      if (!ring || visited.has(ring.key)) break;
      visited.add(ring.key);
      seen++;
      if (ring.style === 'none' || ring.width < 2) low.push(`${p} ${ring.key}: no visible ring (${ring.style} ${ring.width}px)`);
      const ratio = contrast(ring.color, ring.bg);
      if (ratio < 3) low.push(`${p} ${ring.key}: ${ring.color} on ${ring.bg} is ${ratio.toFixed(2)}:1`);
    }
  }
  assert.ok(seen > 30, `Tab reached ${seen} elements`);
  assert.deepEqual(low, [], `\n${low.join('\n')}`);
  await page.context().close();
});

test('13. Jadwal on a phone: the first day within 600 px, today marked; the day sheet says "hari ini" only for today', async () => {
  const page = await newPage({ width: 360, height: 800 });
  await page.goto(`${base}/?date=${witaDate(0)}`);
  const top = (loc) => loc.evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  assert.ok((await top(page.locator('section.day').first())) < 600, 'the week starts within 600 px');
  const today = page.locator('section.day.today h3[aria-current="date"]');
  assert.equal(await today.count(), 1, 'today is marked in the week');
  assert.match(await today.textContent(), /Hari ini$/);
  // A day with an item: the item itself within 600 px.
  await page.goto(`${base}/?view=day&date=${DAY}&leader=bupati`);
  assert.ok((await top(page.locator('article.card').first())) < 600, 'the first item within 600 px');
  const sheet = await page.locator('.take-away a').first().textContent();
  assert.ok(!sheet.includes('hari ini'), sheet);
  assert.match(sheet, /^Agenda Harian \w+, \d{1,2} \w+ \d{4} \(PDF/);
  await page.goto(`${base}/?view=day`);
  assert.match(await page.locator('.take-away a').first().textContent(), /^Agenda Harian hari ini \(PDF/);
  await page.context().close();
});

test('14. switching language on Ajukan keeps what was typed, also after a validation error', async () => {
  const page = await newPage();
  await page.goto(`${base}/ajukan`);
  const typed = { ...FORM, description: 'Singkat' };
  await fillForm(page, typed);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Submit a request' }).waitFor();
  for (const [name, value] of Object.entries(typed)) {
    assert.equal(await page.locator(`[name="${name}"]`).inputValue(), value, `${name} kept on switching to English`);
  }
  assert.equal(await page.locator('#errors').count(), 0, 'switching is not sending');
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.locator('#errors').waitFor();
  assert.match(await page.locator('#errors').textContent(), /Too short/);
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ajukan Permohonan' }).waitFor();
  assert.match(await page.locator('#errors').textContent(), /Maksud dan uraian kegiatan: Terlalu pendek/);
  for (const [name, value] of Object.entries(typed)) {
    assert.equal(await page.locator(`[name="${name}"]`).inputValue(), value, `${name} kept after an error and a switch`);
  }
  // An empty start date is "required", and the pre-filled end time is left alone.
  await page.locator('#start_date').fill('');
  await page.locator('#ajukan-form button[type="submit"]').click();
  await page.locator('#start_date-error').waitFor();
  assert.equal((await page.locator('#start_date-error').textContent()).trim(), 'Wajib diisi.');
  assert.equal(await page.locator('#end_time-error').count(), 0);
  await page.context().close();
});
