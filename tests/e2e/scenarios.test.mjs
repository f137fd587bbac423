// End-to-end scenarios of both apps in a real browser engine (Debian's chromium through
// playwright-core), against the liveview build of the app and a real sepiion-server on loopback.
// Each browser context is one phone: its own liveview session, local SQLite store and sync
// engine. The scenarios build on each other and run in order.
//
// Run through tests/e2e/run (builds the binaries first); screenshots go to
// target/e2e-artifacts/.

import { test, before, beforeEach, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor, witaDate, witaInstant, tab, staffLogin, waitSynced } from './lib/harness.mjs';

const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const DAY_A = witaDate(2); // request A: approved with a representative
const DAY_B = witaDate(3); // request B: clashes with an agenda item
const PHONE_A = '0812 3456 7890';
const A = {
  title: `Pembukaan Pameran UMKM ${RUN}`,
  description: 'Mohon Bapak Bupati berkenan membuka pameran produk UMKM Klungkung.',
  start_date: DAY_A,
  start_time: '19:00',
  end_time: '20:30',
  location: 'Gedung Kesenian Gora Sidhi',
  organizer: 'Dinas Koperasi dan UMKM',
  leader_role: 'membuka acara',
  expected_attendees: '250',
  requester_name: 'Ni Luh Putu Ayu Sartika',
  requester_phone: PHONE_A,
};
const B = {
  title: `Dharma Santi Banjar Pekraman ${RUN}`,
  description: 'Mohon kehadiran Bapak Bupati pada acara dharma santi banjar.',
  start_date: DAY_B,
  start_time: '19:00',
  end_time: '20:30',
  location: 'Balai Banjar Lebah, Semarapura',
  organizer: 'Banjar Lebah',
  leader_role: 'memberi sambutan',
  expected_attendees: '120',
  requester_name: 'I Wayan Sudarma',
  requester_phone: '0813 3711 2233',
};
const CLASH_TITLE = `Rapat Evaluasi Anggaran ${RUN}`;
const REPRESENTATIVE = 'I Nyoman Suarta';
const NEW_LOCATION = `Balai Budaya Ida Dewa Agung ${RUN}`;
const NOTE_TEXT = `Koordinasi pengamanan dengan Satpol PP ${RUN}`;
// Tracking codes: 12 characters in groups of four (K7QM-3XRD-9PTA).
const TRACKING = /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/;
// Milliseconds between keys typed one by one (date fields). Text inputs are controlled: each
// key goes over the websocket and the app's re-render echoes the value back; a key typed before
// that echo arrives can be overwritten, so text is never typed faster than a person would.
const KEY_DELAY_MS = 60;

let env;
let citizen; // the citizen's phone (public app), kept open from scenario 1 to 4
let staff; // protocol staff's phone (internal app)
const ids = {};

before(async () => {
  env = await Env.start('scenarios');
});

beforeEach(async () => {
  await env.ensureServer();
});

afterEach(async (t) => {
  // Whatever each open phone shows at the end of a test (the last picture of a failure).
  await env.screenshotAll(`end-of-${t.name.split('.')[0]}`);
});

after(async () => {
  await env?.close();
});

// --- helpers on pages ---

/** Fills the request form by label, as a user types. */
async function fillRequest(page, r) {
  await page.getByLabel('Pimpinan yang dimohon').selectOption('bupati');
  await page.getByLabel('Nama kegiatan').fill(r.title);
  await page.getByLabel('Maksud dan uraian kegiatan').fill(r.description);
  await page.getByLabel('Tanggal mulai').fill(r.start_date);
  await page.getByLabel('Jam mulai (WITA)').fill(r.start_time);
  await page.getByLabel('Jam selesai (WITA)').fill(r.end_time);
  await page.getByLabel('Lokasi').fill(r.location);
  await page.getByLabel('Penyelenggara (instansi/organisasi)').fill(r.organizer);
  await page.getByLabel('Peran pimpinan').fill(r.leader_role);
  await page.getByLabel('Perkiraan jumlah peserta').fill(r.expected_attendees);
  await page.getByLabel('Nama pemohon').fill(r.requester_name);
  await page.getByLabel('Nomor telepon/WhatsApp').fill(r.requester_phone);
}

/** Waits until the app shows every field as the user typed it (the round trip through the
 * websocket is done). */
async function expectValues(page, r) {
  for (const [id, value] of Object.entries(r)) {
    if (id === 'description') continue;
    await waitFor(`#${id} = ${value}`, async () => (await page.locator(`#${id}`).inputValue()) === value, {
      timeoutMs: 10_000,
    });
  }
}

/** Opens a request from the inbox by its title. */
async function openFromInbox(page, title) {
  await tab(page, 'Kotak Masuk');
  const card = page.getByRole('article', { name: title, exact: true });
  await waitFor(`"${title}" in the inbox`, async () => (await card.count()) === 1, { timeoutMs: 30_000 });
  await card.click();
  await page.getByRole('heading', { name: 'Rincian Permohonan' }).waitFor();
}

/** Chooses a workflow action and confirms it. */
async function act(page, action) {
  await page.getByRole('button', { name: action, exact: true }).click();
  await page.getByRole('button', { name: `Konfirmasi: ${action}` }).click();
}

/** Steps the agenda (day view) forward to a date `days` from today. */
async function agendaDay(page, days) {
  for (let i = 0; i < days; i++) {
    await page.getByRole('button', { name: 'Berikutnya' }).click();
  }
}

// --- the scenarios ---

test('1. a citizen submits a request, corrects an invalid field, gets a tracking code', async () => {
  citizen = await env.device('public');
  await citizen.getByRole('heading', { name: 'Jadwal Pimpinan' }).waitFor();
  await waitSynced(citizen, 'the public app to register and sync');
  await env.screenshot(citizen, 'citizen-schedule');

  await tab(citizen, 'Ajukan');
  await citizen.getByRole('heading', { name: 'Ajukan Permohonan' }).waitFor();
  await fillRequest(citizen, { ...A, requester_phone: '12345' });
  await citizen.getByLabel('Nomor telepon/WhatsApp').press('Tab'); // leave the field
  const phoneError = citizen.locator('#requester_phone-error');
  await phoneError.waitFor();
  assert.equal(
    await phoneError.innerText(),
    'Tidak valid (contoh: 0812 3456 7890).',
  );
  // The message sits in the phone number's own field, tied to the input for screen readers.
  const phoneField = citizen.locator('.field', { has: citizen.locator('#requester_phone') });
  assert.equal(await phoneField.locator('#requester_phone-error').count(), 1);
  assert.equal(await citizen.locator('#requester_phone').getAttribute('aria-invalid'), 'true');
  assert.equal(await citizen.locator('#requester_phone').getAttribute('aria-describedby'), 'requester_phone-hint requester_phone-error');
  assert.equal(await citizen.locator('.field.invalid').count(), 1, 'only the phone number is marked invalid');
  await env.screenshot(citizen, 'citizen-form-invalid-phone');

  // Submitting anyway is refused and keeps everything typed.
  await citizen.getByRole('button', { name: 'Kirim permohonan' }).click();
  await citizen.getByRole('heading', { name: 'Periksa kembali isian berikut' }).waitFor();
  assert.equal(await citizen.getByLabel('Nama kegiatan').inputValue(), A.title);

  await citizen.getByLabel('Nomor telepon/WhatsApp').fill(A.requester_phone);
  await waitFor('the phone error to go', async () => (await phoneError.count()) === 0);
  await expectValues(citizen, { title: A.title, requester_phone: A.requester_phone, start_date: A.start_date });
  await env.screenshot(citizen, 'citizen-form-fixed');
  await citizen.getByRole('button', { name: 'Kirim permohonan' }).click();

  // The "sent" screen: saved on the device first, sent once the sync has given it its code
  // (core's words).
  const sent = citizen.locator('.card.sent');
  await sent.getByRole('heading', { name: /Permohonan (tersimpan|terkirim)/ }).waitFor();
  const code = await waitFor('the tracking code', async () => (await sent.innerText()).match(TRACKING)?.[0], {
    timeoutMs: 30_000,
  });
  await env.screenshot(citizen, 'citizen-submitted-tracking-code');
  // Back from it: the form is empty again for the next request.
  await citizen.getByRole('button', { name: 'Kembali' }).click();
  await citizen.getByLabel('Nama kegiatan').waitFor();
  assert.equal(await citizen.getByLabel('Nama kegiatan').inputValue(), '');

  const token = await env.login('protokol');
  const onServer = await env.requestsTitled(token, A.title);
  assert.equal(onServer.length, 1);
  assert.equal(onServer[0].tracking_code, code);
  assert.equal(onServer[0].state, 'submitted');
  ids.a = onServer[0].id;
  ids.codeA = code;
});

test('2. offline: a request waits to be sent, then goes by itself, exactly once', async () => {
  assert.ok(citizen, 'scenario 1 ran');
  await env.stopServer();
  await tab(citizen, 'Ajukan');
  await fillRequest(citizen, B);
  await expectValues(citizen, { title: B.title, requester_phone: B.requester_phone });
  await citizen.getByRole('button', { name: 'Kirim permohonan' }).click();
  await citizen.locator('.card.sent').getByText('Menunggu dikirim').waitFor();
  await waitFor('the sync bar to show the unsent change', async () => {
    const bar = await citizen.locator('.syncbar').innerText();
    return bar.includes('1 perubahan belum terkirim') && bar.includes('Luring');
  });
  await env.screenshot(citizen, 'citizen-offline-waiting');

  await tab(citizen, 'Permohonan Saya');
  const card = citizen.getByRole('article', { name: B.title, exact: true });
  await card.getByText('Menunggu dikirim').waitFor();
  await env.screenshot(citizen, 'citizen-my-requests-waiting');

  // The server comes back; the citizen does nothing.
  await env.startServer();
  await waitFor('the waiting request to be sent', async () => (await card.getByText('Menunggu dikirim').count()) === 0, {
    timeoutMs: 90_000,
  });
  await waitFor('its tracking code', async () => TRACKING.test(await card.innerText()), { timeoutMs: 30_000 });
  await waitSynced(citizen, 'the sync bar to settle');
  await env.screenshot(citizen, 'citizen-sent-after-reconnect');

  const token = await env.login('protokol');
  const copies = await env.requestsTitled(token, B.title);
  assert.equal(copies.length, 1, 'exactly one copy on the server');
  assert.equal((await env.requestsTitled(token, A.title)).length, 1);
  ids.b = copies[0].id;
});

test('3. staff review and forward; the ajudan represents; a clash is named before approving', async () => {
  assert.ok(ids.a && ids.b, 'scenarios 1 and 2 ran');
  staff = await env.device('internal');
  await staff.getByRole('heading', { name: 'Masuk Staf' }).waitFor();
  await env.screenshot(staff, 'staff-login');
  await staffLogin(staff, 'protokol');
  await waitSynced(staff, 'the staff app to sync');
  for (const title of [A.title, B.title]) {
    await staff.getByRole('article', { name: title, exact: true }).waitFor();
  }
  await env.screenshot(staff, 'staff-inbox-both-requests');

  await openFromInbox(staff, A.title);
  await act(staff, 'Mulai tinjau');
  await staff.locator('.card .chip', { hasText: 'Ditinjau' }).first().waitFor();
  await staff.getByRole('button', { name: 'Teruskan ke pimpinan', exact: true }).click();
  assert.equal(await staff.getByLabel('Pimpinan', { exact: true }).inputValue(), 'bupati');
  await env.screenshot(staff, 'staff-forward-to-leader');
  await staff.getByRole('button', { name: 'Konfirmasi: Teruskan ke pimpinan' }).click();
  await staff.locator('.card .chip', { hasText: 'Menunggu keputusan pimpinan' }).first().waitFor();
  await waitSynced(staff, 'the forward to reach the server');
  await env.screenshot(staff, 'staff-forwarded');

  const token = await env.login('protokol');
  const a = (await env.requestsTitled(token, A.title))[0];
  assert.equal(a.state, 'awaiting_leader');
  assert.deepEqual(
    a.timeline.map((e) => e.to),
    ['submitted', 'in_review', 'awaiting_leader'],
  );

  // Request B reaches the leader through the API, and an agenda item that clashes with it.
  for (const action of ['start_review', 'forward_to_leader']) {
    await env.api('POST', `/api/v1/staff/requests/${ids.b}/transitions`, { token, body: { action } });
  }
  await env.api('POST', '/api/v1/staff/agenda', {
    token,
    body: {
      leader_id: 'bupati',
      title: CLASH_TITLE,
      starts_at: witaInstant(DAY_B, '19:30'),
      ends_at: witaInstant(DAY_B, '21:00'),
      location: 'Kantor Bupati Klungkung',
      category: 'Rapat',
      visibility: 'internal',
      status: 'confirmed',
      attendance: 'in_person',
      internal_notes: `Bahan rapat rahasia ${RUN}`,
    },
  });

  const ajudan = await env.device('internal');
  await staffLogin(ajudan, 'ajudan.bupati');
  await waitSynced(ajudan, 'the ajudan app to sync');
  await openFromInbox(ajudan, A.title);
  await ajudan.getByRole('button', { name: 'Diwakilkan', exact: true }).click();
  await ajudan.getByLabel('Yang mewakili').selectOption({ label: `${REPRESENTATIVE} (Asisten Perekonomian dan Pembangunan)` });
  await env.screenshot(ajudan, 'ajudan-represent');
  await ajudan.getByRole('button', { name: 'Konfirmasi: Diwakilkan' }).click();
  await ajudan.locator('.card .chip', { hasText: 'Diwakilkan' }).first().waitFor();
  await waitSynced(ajudan, 'the decision to reach the server');
  await env.screenshot(ajudan, 'ajudan-represented');
  const decided = (await env.requestsTitled(token, A.title))[0];
  assert.equal(decided.state, 'represented');
  assert.match(decided.representative ?? '', new RegExp(REPRESENTATIVE));
  assert.ok(decided.agenda_item_id, 'the decision made an agenda item');
  ids.itemA = decided.agenda_item_id;

  await openFromInbox(ajudan, B.title);
  await ajudan.getByRole('button', { name: 'Setujui (hadir sendiri)', exact: true }).click();
  const warning = ajudan.getByRole('alert').filter({ hasText: 'Perhatian: jadwal bentrok' });
  await warning.waitFor();
  assert.match(await warning.innerText(), new RegExp(`Bentrok dengan "${CLASH_TITLE}"`));
  await env.screenshot(ajudan, 'ajudan-conflict-warning');
  await ajudan.context().close();
});

test('4. the citizen sees the new state and timeline; the public schedule shows public fields only', async () => {
  assert.ok(ids.itemA, 'scenario 3 ran');
  await tab(citizen, 'Jadwal');
  await citizen.getByRole('button', { name: 'Perbarui' }).click(); // pull to refresh
  await agendaDay(citizen, 2);
  const card = citizen.getByRole('article', { name: new RegExp(`^${A.title}`) });
  await waitFor('the approved item on the public schedule', async () => (await card.count()) === 1, {
    timeoutMs: 60_000,
  });
  const text = await card.innerText();
  assert.match(text, /Bupati Klungkung/);
  assert.match(text, new RegExp(A.location));
  assert.match(text, new RegExp(`Diwakili oleh: ${REPRESENTATIVE}`));
  await env.screenshot(citizen, 'citizen-public-schedule');
  // None of the internal fields: not the notes (they hold the requester's name and phone), the
  // staff, the visibility or the attendance chips.
  const page = await citizen.locator('main').innerText();
  for (const secret of [
    A.requester_name,
    A.requester_phone,
    ids.codeA,
    'Dari permohonan',
    'Catatan internal',
    'Petugas',
    'Publik',
    'Hadir sendiri',
  ]) {
    assert.ok(!page.includes(secret), `the public schedule shows "${secret}"`);
  }
  // The internal item of the next day is not there at all.
  await agendaDay(citizen, 1);
  await citizen.getByText('Tidak ada kegiatan publik pada tanggal ini.').or(citizen.locator('article').first()).waitFor();
  assert.ok(!(await citizen.locator('main').innerText()).includes(CLASH_TITLE));
  assert.ok(!(await citizen.locator('main').innerText()).includes('rahasia'));

  await tab(citizen, 'Permohonan Saya');
  const mine = citizen.getByRole('article', { name: A.title, exact: true });
  await mine.locator('.chip', { hasText: 'Diwakilkan' }).waitFor();
  await env.screenshot(citizen, 'citizen-my-requests-represented');
  await mine.click();
  await citizen.getByRole('heading', { name: 'Riwayat' }).waitFor(); // the request's own page
  assert.match(await citizen.locator('main').innerText(), new RegExp(`Diwakili oleh: ${REPRESENTATIVE}`));
  const steps = await citizen.locator('ol.timeline > li .chip').allInnerTexts();
  assert.deepEqual(steps, ['Diajukan', 'Ditinjau', 'Menunggu keputusan pimpinan', 'Diwakilkan']);
  await env.screenshot(citizen, 'citizen-request-timeline');
});

test('5. staff offline edit an agenda item and add a note; back online, a second session sees them', async () => {
  assert.ok(staff && ids.itemA, 'scenario 3 ran');
  // The item the ajudan's decision made comes with the next sync: ask for it now.
  await tab(staff, 'Sinkronisasi');
  await staff.getByRole('button', { name: 'Sinkronkan sekarang' }).click();
  await tab(staff, 'Agenda');
  await agendaDay(staff, 2);
  const item = staff.getByRole('article', { name: new RegExp(`^${A.title}`) });
  await waitFor('the new agenda item in the staff agenda', async () => (await item.count()) === 1, {
    timeoutMs: 60_000,
  });
  await item.click();
  await staff.getByRole('button', { name: 'Ubah agenda' }).click();
  await staff.getByLabel('Lokasi').waitFor();

  await env.stopServer();
  await staff.getByLabel('Lokasi').fill(NEW_LOCATION);
  await staff.getByLabel('Susunan acara').fill('19.00 Pembukaan\n19.15 Sambutan');
  await expectValues(staff, { 'item-location': NEW_LOCATION });
  await staff.getByRole('button', { name: 'Simpan', exact: true }).click();
  // Saving leads to the saved item: its card, waiting to be sent, with the new running order.
  await staff.getByText('19.15 Sambutan').waitFor();
  await staff.getByText('Menunggu dikirim').first().waitFor();
  assert.equal(await staff.getByRole('button', { name: 'Simpan', exact: true }).count(), 0, 'the form is gone');
  await env.screenshot(staff, 'staff-offline-agenda-saved');
  await staff.getByRole('button', { name: 'Rincian Permohonan' }).click();
  await staff.getByRole('heading', { name: 'Rincian Permohonan' }).waitFor();
  await staff.getByLabel('Instruksi (misalnya: Hadiri & koordinasikan)').fill('Hadiri & koordinasikan');
  await staff.getByLabel('Catatan', { exact: true }).fill(NOTE_TEXT);
  await expectValues(staff, { 'note-text': NOTE_TEXT });
  await staff.getByRole('button', { name: 'Tambah catatan' }).click();
  const note = staff.locator('.card', { hasText: NOTE_TEXT }).last();
  await note.getByText('Menunggu dikirim').waitFor();
  await waitFor('both changes queued while offline', async () => {
    const bar = await staff.locator('.syncbar').innerText();
    return bar.includes('Luring') && bar.includes('2 perubahan belum terkirim');
  });
  await env.screenshot(staff, 'staff-offline-note-queued');

  await env.startServer();
  await waitSynced(staff, 'the queued changes to reach the server', 90_000);
  await waitFor('the note to be confirmed', async () => (await note.getByText('Menunggu dikirim').count()) === 0);
  await env.screenshot(staff, 'staff-back-online-synced');

  const token = await env.login('admin');
  const onServer = await env.api('GET', `/api/v1/staff/agenda/${ids.itemA}`, { token });
  assert.equal(onServer.location, NEW_LOCATION);
  assert.match(onServer.internal?.running_order ?? '', /19\.15 Sambutan/);
  const detail = await env.api('GET', `/api/v1/staff/requests/${ids.a}`, { token });
  assert.equal(detail.notes.filter((n) => n.text === NOTE_TEXT).length, 1, 'the note reached the server once');

  const second = await env.device('internal');
  await staffLogin(second, 'agenda');
  await waitSynced(second, 'the second staff session to sync');
  await tab(second, 'Agenda');
  await agendaDay(second, 2);
  const seen = second.getByRole('article', { name: new RegExp(`^${A.title}`) });
  await seen.getByText(NEW_LOCATION, { exact: false }).waitFor();
  await seen.click();
  await second.getByText('19.15 Sambutan', { exact: false }).waitFor();
  await second.getByRole('button', { name: 'Rincian Permohonan' }).click();
  await second.getByText(NOTE_TEXT).waitFor();
  await env.screenshot(second, 'second-staff-sees-changes');
  await second.context().close();
});

test('6. keyboard only: the form is filled and submitted without a mouse; every input is labelled', async () => {
  const page = await env.device('public');
  await page.getByRole('heading', { name: 'Jadwal Pimpinan' }).waitFor();
  await waitSynced(page, 'a new public device to register');
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id ?? '', tag: el?.tagName ?? '', text: (el?.innerText ?? '').trim(), type: el?.getAttribute('type') ?? '' };
  });
  /** Presses Tab until `match` holds for the focused element (at most `max` times). */
  const tabTo = async (what, match, max = 60) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (match(f)) return f;
    }
    throw new Error(`Tab never reached ${what}`);
  };
  await tabTo('the "Ajukan" tab', (f) => f.tag === 'BUTTON' && f.text === 'Ajukan');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Ajukan Permohonan' }).waitFor();

  // Every control of the form has an accessible name, as the browser's accessibility tree (what
  // a screen reader reads) computes it, and that name is its visible label.
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
    nodeId: root.nodeId,
    selector: 'form input, form select, form textarea',
  });
  assert.ok(nodeIds.length >= 15, `the form has its controls (${nodeIds.length})`);
  const names = {};
  for (const nodeId of nodeIds) {
    const { node } = await cdp.send('DOM.describeNode', { nodeId });
    const id = node.attributes[node.attributes.indexOf('id') + 1];
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const name = nodes[0]?.name?.value ?? '';
    assert.ok(name.trim().length > 0, `#${id} has no accessible name`);
    const label = await page.locator(`label[for="${id}"]`).innerText();
    assert.equal(name.trim(), label.replace(/\s*\*$/, '').trim(), `#${id} is named by its label`);
    names[id] = name;
  }
  assert.equal(names.requester_phone, 'Nomor telepon/WhatsApp');
  await cdp.detach();

  const values = {
    title: `Peresmian Perpustakaan Desa ${RUN}`,
    description: 'Mohon Bapak Bupati berkenan meresmikan perpustakaan desa.',
    location: 'Desa Gelgel, Klungkung',
    organizer: 'Pemerintah Desa Gelgel',
    leader_role: 'meresmikan',
    expected_attendees: '80',
    requester_name: 'Kadek Dwi Antari',
    requester_phone: '0819 1234 5678',
  };
  const day = witaDate(5);
  const [y, m, d] = day.split('-');
  await tabTo('the first field', (f) => f.id === 'kind');
  await page.keyboard.press('Tab');
  assert.equal((await focused()).id, 'leader_id');
  await page.keyboard.press('ArrowDown'); // Bupati Klungkung
  await waitFor('the leader chosen', async () => (await page.locator('#leader_id').inputValue()) === 'bupati');
  let submitted = false;
  for (let i = 0; i < 40 && !submitted; i++) {
    await page.keyboard.press('Tab');
    const f = await focused();
    if (values[f.id] !== undefined) {
      // Text comes in as one keyboard insertion (as an on-screen keyboard or IME commits a word):
      // typed key by key faster than the liveview round trip, the echo of the field's value can
      // drop a key (see KEY_DELAY_MS).
      await page.keyboard.insertText(values[f.id]);
      await waitFor(`#${f.id} = ${values[f.id]}`, async () => (await page.locator(`#${f.id}`).inputValue()) === values[f.id], {
        timeoutMs: 5_000,
      });
    } else if (f.id === 'start_date') {
      // Chromium's date field takes the digits in its locale's order; try month/day/year, then
      // day/month/year.
      await page.keyboard.type(`${m}${d}${y}`, { delay: KEY_DELAY_MS });
      if ((await page.locator('#start_date').inputValue()) !== day) {
        for (let k = 0; k < 3; k++) await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Tab');
        await page.keyboard.type(`${d}${m}${y}`, { delay: KEY_DELAY_MS });
      }
      await waitFor(`the start date ${day}`, async () => (await page.locator('#start_date').inputValue()) === day);
    } else if (f.tag === 'BUTTON' && f.text === 'Kirim permohonan') {
      await env.screenshot(page, 'keyboard-form-filled');
      await page.keyboard.press('Enter');
      submitted = true;
    }
  }
  assert.ok(submitted, 'Tab reached the submit button');
  // The "sent" screen: saved on the device first, sent once the sync has given it its code
  // (core's words).
  const notice = page.locator('.card.sent');
  await notice.getByRole('heading', { name: /Permohonan (tersimpan|terkirim)/ }).waitFor();
  await waitFor('the tracking code', async () => TRACKING.test(await notice.innerText()), { timeoutMs: 30_000 });
  await env.screenshot(page, 'keyboard-submitted');
  const token = await env.login('protokol');
  const onServer = await env.requestsTitled(token, values.title);
  assert.equal(onServer.length, 1);
  assert.equal(onServer[0].requester_phone.replace(/\D/g, ''), '081912345678');
  assert.equal(onServer[0].leader_id, 'bupati');
  assert.equal(onServer[0].starts_at, witaInstant(day, '09:00'));
  await page.context().close();
});

// --- notifications (issue 12) ---

const C = {
  title: `Musyawarah Perencanaan Desa ${RUN}`,
  description: 'Mohon kehadiran Bapak Bupati pada musyawarah perencanaan pembangunan desa.',
  start_date: witaDate(12), // beyond the lead time: not "mendesak"
  start_time: '15:00',
  end_time: '16:30',
  location: 'Wantilan Desa Paksebali',
  organizer: 'Pemerintah Desa Paksebali',
  leader_role: 'memberi arahan',
  expected_attendees: '60',
  requester_name: 'Ni Made Suastini',
  requester_phone: '0817 5566 7788',
};

/** The Notifikasi tab (its accessible name grows by the badge's "N belum dibaca"). */
function notificationsTab(page) {
  return page.locator('nav.tabs button', { hasText: 'Notifikasi' });
}

/** The unread count on the Notifikasi tab (0 without a badge). */
async function unreadBadge(page) {
  const badge = notificationsTab(page).locator('.badge');
  return (await badge.count()) === 0 ? 0 : Number(await badge.innerText());
}

/**
 * Syncs with `syncNow` until the Notifikasi list holds an unread notification named `title`
 * (the server's dispatcher writes notifications shortly after the event's commit, so one sync
 * may come too early). Bounded.
 */
async function waitForNotification(page, title, syncNow, timeoutMs = 60_000) {
  const card = page.getByRole('article', { name: title, exact: true });
  await waitFor(
    `the notification "${title}"`,
    async () => {
      await syncNow();
      await notificationsTab(page).click();
      await page.getByRole('heading', { name: 'Notifikasi' }).waitFor();
      return (await card.count()) === 1;
    },
    { timeoutMs, everyMs: 1_000 },
  );
  return card;
}

test('7. a citizen submits: the protocol session is notified; the ajudan approves: the citizen is notified "Disetujui"', async () => {
  assert.ok(citizen && staff, 'scenarios 1 and 3 ran');
  // The protocol session first reads what it has, so the badge counts only what is new.
  await tab(staff, 'Sinkronisasi');
  await waitSynced(staff, 'the staff session to settle');
  await waitFor(
    'every earlier notification read',
    async () => {
      await notificationsTab(staff).click();
      await staff.getByRole('heading', { name: 'Notifikasi' }).waitFor();
      if ((await unreadBadge(staff)) === 0) return true;
      const first = staff.locator('article.notification.unread').first();
      if ((await first.count()) > 0) await first.click();
      return false;
    },
    { timeoutMs: 60_000, everyMs: 500 },
  );

  await tab(citizen, 'Ajukan');
  await citizen.getByRole('heading', { name: 'Ajukan Permohonan' }).waitFor();
  await fillRequest(citizen, C);
  await expectValues(citizen, { title: C.title, requester_phone: C.requester_phone, start_date: C.start_date });
  await citizen.getByRole('button', { name: 'Kirim permohonan' }).click();
  // The "sent" screen: saved on the device first, sent once the sync has given it its code
  // (core's words).
  const notice = citizen.locator('.card.sent');
  await notice.getByRole('heading', { name: /Permohonan (tersimpan|terkirim)/ }).waitFor();
  const code = await waitFor('the tracking code', async () => (await notice.innerText()).match(TRACKING)?.[0], {
    timeoutMs: 30_000,
  });

  // (a) The protocol staff session, after its sync, shows the new request as a notification.
  const syncStaff = async () => {
    await tab(staff, 'Sinkronisasi');
    await staff.getByRole('button', { name: 'Sinkronkan sekarang' }).click();
    await waitSynced(staff, 'the staff sync');
  };
  const fresh = await waitForNotification(staff, `Permohonan baru: ${C.title}`, syncStaff);
  assert.match(await fresh.innerText(), new RegExp(`Kode ${code}`));
  assert.match(await fresh.innerText(), /belum dibaca/);
  assert.equal(await unreadBadge(staff), 1, 'the badge counts the one new notification');
  await env.screenshot(staff, 'staff-notified-of-new-request');
  // Tapping it opens the request and marks it read.
  await fresh.click();
  await staff.getByRole('heading', { name: 'Rincian Permohonan' }).waitFor();
  assert.match(await staff.locator('main').innerText(), new RegExp(C.title));
  await waitFor('the badge to go', async () => (await unreadBadge(staff)) === 0);

  // Protocol reviews and forwards in the app; the Bupati's ajudan approves in theirs.
  await act(staff, 'Mulai tinjau');
  await staff.locator('.card .chip', { hasText: 'Ditinjau' }).first().waitFor();
  await staff.getByRole('button', { name: 'Teruskan ke pimpinan', exact: true }).click();
  await staff.getByRole('button', { name: 'Konfirmasi: Teruskan ke pimpinan' }).click();
  await staff.locator('.card .chip', { hasText: 'Menunggu keputusan pimpinan' }).first().waitFor();
  await waitSynced(staff, 'the forward to reach the server');
  const ajudan = await env.device('internal');
  await staffLogin(ajudan, 'ajudan.bupati');
  await waitSynced(ajudan, 'the ajudan app to sync');
  await openFromInbox(ajudan, C.title);
  await act(ajudan, 'Setujui (hadir sendiri)');
  await ajudan.locator('.card .chip', { hasText: 'Disetujui' }).first().waitFor();
  await waitSynced(ajudan, 'the approval to reach the server');
  const token = await env.login('protokol');
  assert.equal((await env.requestsTitled(token, C.title))[0].state, 'approved');
  await ajudan.context().close();

  // (b) The citizen's app, after its sync, shows the decision as a notification.
  const syncCitizen = async () => {
    await tab(citizen, 'Jadwal');
    await citizen.getByRole('button', { name: 'Perbarui' }).click();
    await waitSynced(citizen, 'the citizen sync');
  };
  const decided = await waitForNotification(citizen, `Permohonan ${code} — Disetujui`, syncCitizen);
  const text = await decided.innerText();
  assert.match(text, new RegExp(`Permohonan "${C.title}" disetujui`));
  assert.match(text, /belum dibaca/);
  assert.ok((await unreadBadge(citizen)) >= 1, 'the tab shows an unread badge');
  await env.screenshot(citizen, 'citizen-notified-approved');
  await decided.click();
  await citizen.getByRole('heading', { name: 'Riwayat' }).waitFor(); // the request's own page
  await notificationsTab(citizen).click();
  await waitFor('the notification to show as read', async () => !(await decided.innerText()).includes('belum dibaca'));
});
