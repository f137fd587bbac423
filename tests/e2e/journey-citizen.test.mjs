// The citizen's journey in the public app (liveview build, real chromium, real server): fill the
// request form with the invitation letter chosen through the browser's own file picker, tap
// "Kirim permohonan" twice, land on the "sent" screen with the tracking code in view and focus
// on its heading, copy the code, open "Lihat status"; the server holds one request with one
// attachment of the right size. Then protocol staff open the letter in the staff app (a download
// in the liveview build) and get the same bytes, which no other browser can fetch.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Env, VIEWPORT, waitFor, witaDate, tab } from './lib/harness.mjs';

const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const TRACKING = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;
// A letter of 45 bytes: "0 KB" is what the old screens showed for it.
const LETTER = Buffer.from('%PDF-1.4\n%surat undangan uji, 45 bytes\n%%EOF\n');
const R = {
  title: `Upacara Melasti Desa Gelgel ${RUN}`,
  description: 'Mohon Bapak Bupati berkenan hadir dan memberi sambutan pada upacara melasti.',
  start_date: witaDate(9),
  start_time: '08:00',
  end_time: '11:00',
  location: 'Pantai Klotok, Desa Tojan',
  organizer: 'Desa Adat Gelgel',
  leader_role: 'memberi sambutan',
  expected_attendees: '400',
  requester_name: 'I Ketut Suardana',
  requester_phone: '0813 3800 1122',
};

let env;

before(async () => {
  assert.equal(LETTER.length, 45);
  env = await Env.start('journey-citizen');
});

afterEach(async (t) => {
  await env.screenshotAll(`end-of-${t.name.slice(0, 30).replace(/\W+/g, '-')}`);
});

after(async () => {
  await env?.close();
});

/** Types every field and waits for the app to echo it (the websocket round trip). */
async function fillRequest(page, r) {
  await page.getByLabel('Pimpinan yang dimohon').selectOption('bupati');
  for (const [id, value] of Object.entries(r)) {
    await page.locator(`#${id}`).fill(value);
    await waitFor(`#${id} = ${value}`, async () => (await page.locator(`#${id}`).inputValue()) === value, {
      timeoutMs: 10_000,
    });
  }
}

/** Whether the element lies wholly inside the phone's screen. */
async function inViewport(locator) {
  const box = await locator.boundingBox();
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= VIEWPORT.height && box.x + box.width <= VIEWPORT.width;
}

test('a citizen sends a request with its letter, sees the code, and staff open the same letter', async () => {
  const citizen = await env.device('public');
  await citizen.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.appUrl });
  await citizen.getByRole('heading', { name: 'Jadwal Pimpinan' }).waitFor();
  await waitFor('the device to register', async () => (await citizen.locator('.syncbar').innerText()).includes('Daring'), {
    timeoutMs: 60_000,
  });

  await tab(citizen, 'Ajukan');
  await fillRequest(citizen, R);

  // The letter, chosen as a person would: tapping the file input opens the browser's picker.
  const [chooser] = await Promise.all([citizen.waitForEvent('filechooser'), citizen.locator('#attachment').click()]);
  await chooser.setFiles({ name: 'surat-undangan.pdf', mimeType: 'application/pdf', buffer: LETTER });
  const listed = citizen.locator('form li', { hasText: 'surat-undangan.pdf' });
  await listed.waitFor();
  assert.match(await listed.innerText(), /surat-undangan\.pdf\s+\(45 B\)/);
  assert.equal(await citizen.locator('#attachment ~ .error').count(), 0, 'no error under the file input');

  // Two quick taps on "Kirim permohonan".
  await citizen.getByRole('button', { name: 'Kirim permohonan' }).dblclick();

  // The "sent" screen: focus on its heading, the code big and in view once the sync brings it.
  const heading = citizen.locator('#sent-heading');
  await heading.waitFor();
  await waitFor('focus on the heading', async () => citizen.evaluate(() => document.activeElement?.id === 'sent-heading'));
  const codeEl = citizen.locator('#tracking-code');
  await codeEl.waitFor({ timeout: 30_000 });
  const code = (await codeEl.innerText()).replace(/\s+/g, '');
  assert.match(code, TRACKING);
  assert.equal(await heading.innerText(), 'Permohonan terkirim');
  assert.ok(await inViewport(codeEl), 'the tracking code is on the screen without scrolling');
  // Each group of the code stays whole: the line may break only after a dash.
  for (const group of await codeEl.locator('span').all()) {
    assert.equal(await group.evaluate((el) => getComputedStyle(el).whiteSpace), 'nowrap');
  }
  // The form is gone with its draft notice and chosen file.
  assert.equal(await citizen.getByText('Draf tersimpan di perangkat ini.').count(), 0);
  assert.equal(await citizen.locator('#attachment').count(), 0);
  await env.screenshot(citizen, 'sent');

  // "Salin kode": said on screen, and the clipboard holds the code.
  await citizen.getByRole('button', { name: 'Salin kode' }).click();
  await citizen.getByRole('status').filter({ hasText: 'Kode disalin.' }).waitFor();
  assert.equal(await citizen.evaluate(() => navigator.clipboard.readText()), code);
  const share = await citizen.getByRole('link', { name: 'Bagikan lewat WhatsApp' }).getAttribute('href');
  assert.ok(share.startsWith('https://wa.me/?text=') && decodeURIComponent(share).includes(code), share);

  // The server: one request, one attachment of 45 bytes.
  const token = await env.login('protokol');
  const onServer = await env.requestsTitled(token, R.title);
  assert.equal(onServer.length, 1, 'one request for two taps');
  assert.equal(onServer[0].tracking_code, code);
  const detail = await waitFor(
    'the letter on the server',
    async () => {
      const d = await env.api('GET', `/api/v1/staff/requests/${onServer[0].id}`, { token });
      const r = d.request ?? d;
      return r.attachments?.length ? r : null;
    },
    { timeoutMs: 60_000 },
  );
  assert.equal(detail.attachments.length, 1);
  assert.equal(detail.attachments[0].filename, 'surat-undangan.pdf');
  assert.equal(detail.attachments[0].size, 45);

  // "Lihat status": the request's own screen, its letter listed with its size.
  await citizen.getByRole('button', { name: 'Lihat status' }).click();
  await citizen.getByRole('heading', { name: R.title }).waitFor();
  assert.equal((await citizen.locator('#tracking-code').innerText()).replace(/\s+/g, ''), code);
  const ownLetter = citizen.getByRole('button', { name: /surat-undangan\.pdf/ });
  await ownLetter.waitFor({ timeout: 30_000 });
  assert.match(await ownLetter.innerText(), /\(45 B\)/);
  // The citizen opens their own letter too: the same bytes come back.
  const [own] = await Promise.all([citizen.waitForEvent('download'), ownLetter.click()]);
  assert.deepEqual(readFileSync(await own.path()), LETTER);
  await citizen.getByText('Berkas diunduh.').waitFor();
  await env.screenshot(citizen, 'my-request-with-letter');

  // Back to Ajukan: a fresh, empty form with no file.
  await tab(citizen, 'Ajukan');
  await citizen.locator('#title').waitFor();
  assert.equal(await citizen.locator('#title').inputValue(), '');
  assert.equal(await citizen.locator('form li', { hasText: 'surat-undangan.pdf' }).count(), 0);

  // Staff open the letter: a download with the same bytes.
  const staff = await env.device('internal');
  await staff.getByLabel('Nama pengguna').fill('protokol');
  await staff.getByLabel('Kata sandi').fill('sepiion-demo');
  await staff.getByRole('button', { name: 'Masuk', exact: true }).click();
  await staff.getByRole('heading', { name: 'Kotak Masuk' }).waitFor();
  const card = staff.getByRole('article', { name: R.title, exact: true });
  await waitFor('the request in the inbox', async () => (await card.count()) === 1, { timeoutMs: 60_000 });
  await card.click();
  await staff.getByRole('heading', { name: 'Rincian Permohonan' }).waitFor();
  const letter = staff.getByRole('button', { name: /surat-undangan\.pdf/ });
  await letter.waitFor();
  assert.match(await letter.innerText(), /surat-undangan\.pdf\s+\(45 B\)/);
  const [download] = await Promise.all([staff.waitForEvent('download'), letter.click()]);
  assert.equal(download.suggestedFilename(), 'surat-undangan.pdf');
  assert.deepEqual(readFileSync(await download.path()), LETTER);
  await staff.getByText('Berkas diunduh.').waitFor();
  await env.screenshot(staff, 'staff-letter-downloaded');

  // The address serves this browser only: without its cookie, nothing.
  const stranger = await fetch(download.url());
  assert.equal(stranger.status, 404);
  // The citizen's browser (another cookie) gets nothing either.
  const fromCitizen = await citizen.evaluate(async (u) => (await fetch(u)).status, download.url());
  assert.equal(fromCitizen, 404);
});
