// The staff journey, protocol → ajudan → requester (issue 23), in the liveview build against a
// real server: every create and every decision button is tapped twice in a row, and after each
// action the test reads what the person has in front of them — the confirmation inside the
// viewport, where focus is — then the server's state through the API, and that nothing was
// made twice. Destructive actions (decline, cancelling an agenda item, signing out with unsent
// changes, the requester cancelling) ask once, and Esc / "Kembali" leaves everything as it was.
// "Sinkronkan sekarang" with nothing new says "Sudah terbaru, HH.MM".
//
// Run through tests/e2e/run; screenshots go to ${E2E_ARTIFACTS}/journey-staff/.

import { test, before, beforeEach, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor, witaDate, witaInstant, tab, staffLogin, waitSynced } from './lib/harness.mjs';

const RUN = Date.now().toString(36).slice(-5).toUpperCase();
const DAY = witaDate(6);
const R1 = {
  title: `Peresmian Balai Banjar Kangin ${RUN}`,
  description: 'Mohon Bapak Bupati berkenan meresmikan balai banjar yang baru.',
  start_date: DAY,
  start_time: '10:00',
  end_time: '12:00',
  location: 'Balai Banjar Kangin, Dawan',
  organizer: 'Banjar Kangin',
  leader_role: 'meresmikan',
  expected_attendees: '150',
  requester_name: 'I Made Wirawan',
  requester_phone: '0812 3344 5566',
};
const R2_TITLE = `Audiensi Kelompok Tani Subak Aya ${RUN}`;
const ITEM_TITLE = `Rapat Persiapan Hari Jadi ${RUN}`;
const NOTE = `Mohon koordinasi dengan Camat Dawan ${RUN}`;
const LEADER = 'Bupati Klungkung';

let env;
let citizen;
let protocol;
let ajudan;
let token; // protocol staff's API token, to read the server's state
const ids = {};

before(async () => {
  env = await Env.start('journey-staff');
  token = await env.login('protokol');
});

beforeEach(async () => {
  await env.ensureServer();
});

afterEach(async (t) => {
  await env.screenshotAll(`end-of-${t.name.split('.')[0]}`);
});

after(async () => {
  await env?.close();
});

// --- what the person sees ---

/** The element is on screen: inside the viewport, not scrolled away. */
async function assertInViewport(page, locator, what) {
  await locator.waitFor();
  const box = await waitFor(`${what} laid out`, async () => locator.boundingBox());
  const { width, height } = page.viewportSize();
  assert.ok(
    box.y >= 0 && box.y + Math.min(box.height, 60) <= height && box.x >= 0 && box.x < width,
    `${what} is off-screen: ${JSON.stringify(box)} in ${width}×${height}`,
  );
}

/** The id of the focused element, and whether it is inside the element with id `within`. */
async function focusIn(page, within) {
  return page.evaluate((id) => {
    const el = document.activeElement;
    const box = document.getElementById(id);
    return !!(el && box && (el === box || box.contains(el)));
  }, within);
}

async function waitFocusIn(page, within, what) {
  await waitFor(`focus on ${what}`, () => focusIn(page, within), { timeoutMs: 10_000 }).catch(async (e) => {
    const at = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `<${el.tagName.toLowerCase()} id="${el.id}"> "${(el.textContent || '').trim().slice(0, 40)}"` : 'nothing';
    });
    throw new Error(`${e.message}; focus is on ${at}`);
  });
}

async function openFromInbox(page, title) {
  await tab(page, 'Kotak Masuk');
  const card = page.getByRole('article', { name: title, exact: true });
  await waitFor(`"${title}" in the inbox`, async () => (await card.count()) === 1, { timeoutMs: 60_000 });
  await card.click();
  await page.getByRole('heading', { name: 'Rincian Permohonan' }).waitFor();
}

/** Chooses a workflow action and double-taps its confirmation; then the message that says what
 * happened is in view, has focus, and (once synced) names who core's rule told. */
async function decide(page, action, expected, prepare = async () => {}) {
  await page.getByRole('button', { name: action, exact: true }).click();
  await prepare();
  await page.getByRole('button', { name: `Konfirmasi: ${action}` }).dblclick();
  const done = page.locator('#action-done');
  await waitSynced(page, `"${action}" to reach the server`);
  await waitFor(`the message after "${action}"`, async () => (await done.innerText()) === expected, {
    timeoutMs: 30_000,
  }).catch(async (e) => {
    throw new Error(`${e.message}; it says: ${await done.innerText().catch(() => '(none)')}`);
  });
  await assertInViewport(page, done, `the message after "${action}"`);
  await waitFocusIn(page, 'action-done', `the message after "${action}"`);
  // It is a live region for screen readers.
  const region = page.locator('.action-status', { has: done });
  assert.equal(await region.getAttribute('role'), 'status');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  assert.equal(await page.locator('main .notice.error').count(), 0, 'the second tap was not refused');
}

// --- the server's state ---

async function request(title) {
  const all = await env.requestsTitled(token, title);
  assert.equal(all.length, 1, `exactly one request "${title}"`);
  return all[0];
}

/** Each state of the request's timeline once, in this order. */
async function assertTimeline(title, states) {
  const r = await request(title);
  assert.deepEqual(r.timeline.map((e) => e.to), states, `${title}: one step per action`);
  return r;
}

async function agendaOn(date) {
  const r = await env.api('GET', `/api/v1/staff/agenda?from=${date}&to=${date}`, { token });
  return Array.isArray(r) ? r : r.items ?? r.entries ?? [];
}

// --- the journey ---

test('1. the requester sends a request with a double tap: one request on the server', async () => {
  citizen = await env.device('public');
  await citizen.getByRole('heading', { name: 'Jadwal Pimpinan' }).waitFor();
  await waitSynced(citizen, 'the public app to register');
  await tab(citizen, 'Ajukan');
  await citizen.getByLabel('Pimpinan yang dimohon').selectOption('bupati');
  for (const [id, value] of Object.entries(R1)) {
    await citizen.locator(`#${id}`).fill(value);
  }
  for (const [id, value] of Object.entries(R1)) {
    if (id === 'description') continue;
    await waitFor(`#${id} typed`, async () => (await citizen.locator(`#${id}`).inputValue()) === value, {
      timeoutMs: 10_000,
    });
  }
  // The leader once more, after the typing (a select changed while the form redraws is kept).
  await citizen.getByLabel('Pimpinan yang dimohon').selectOption('bupati');
  await citizen.getByRole('button', { name: 'Kirim permohonan' }).dblclick();
  await waitSynced(citizen, 'the request to be sent');
  await waitFor('the request on the server', async () => (await env.requestsTitled(token, R1.title)).length > 0, {
    timeoutMs: 30_000,
  });
  await assertTimeline(R1.title, ['submitted']);
  await env.screenshot(citizen, 'citizen-sent');

  // A second request, from another device through the API: the one the ajudan declines.
  const device = await env.api('POST', '/api/v1/public/devices', { body: {} });
  await env.api('POST', '/api/v1/public/requests', {
    token: device.token,
    body: {
      kind: 'audiensi',
      leader_id: 'bupati',
      title: R2_TITLE,
      description: 'Kami mohon waktu audiensi tentang irigasi subak.',
      starts_at: witaInstant(witaDate(8), '09:00'),
      ends_at: witaInstant(witaDate(8), '10:00'),
      location: 'Kantor Bupati Klungkung',
      organizer: 'Subak Aya',
      requester_name: 'I Nyoman Rata',
      requester_phone: '0813 5566 7788',
      expected_attendees: 12,
      leader_role: 'menerima audiensi',
      dress_code: '',
    },
  });
  for (const action of ['start_review', 'forward_to_leader']) {
    await env.api('POST', `/api/v1/staff/requests/${(await request(R2_TITLE)).id}/transitions`, {
      token,
      body: { action },
    });
  }
});

test('2. protocol reviews and forwards: each decision said where they look, once on the server', async () => {
  protocol = await env.device('internal');
  await staffLogin(protocol, 'protokol');
  await waitSynced(protocol, 'the staff app to sync');
  await openFromInbox(protocol, R1.title);
  // The requester's phone dials; WhatsApp stays.
  assert.equal(await protocol.locator('main a[href^="tel:"]').getAttribute('href'), 'tel:+6281233445566');
  assert.equal(await protocol.locator('main a.wa-link').count(), 1);

  await decide(protocol, 'Mulai tinjau', 'Peninjauan dimulai. Pemohon diberi tahu.');
  await assertTimeline(R1.title, ['submitted', 'in_review']);
  await env.screenshot(protocol, 'protocol-review-started');

  await decide(
    protocol,
    'Teruskan ke pimpinan',
    `Diteruskan ke ${LEADER}. Ajudan dan sekretaris pribadi ${LEADER} dan ${LEADER} diberi tahu.`,
    () => protocol.getByLabel('Pimpinan', { exact: true }).selectOption('bupati'),
  );
  const r1 = await assertTimeline(R1.title, ['submitted', 'in_review', 'awaiting_leader']);
  assert.equal(r1.state, 'awaiting_leader');
  ids.r1 = r1.id;
  await env.screenshot(protocol, 'protocol-forwarded');

  // A note, sent with a double tap: one note.
  await protocol.getByLabel('Catatan', { exact: true }).fill(NOTE);
  await waitFor('the note typed', async () => (await protocol.getByLabel('Catatan', { exact: true }).inputValue()) === NOTE);
  await protocol.getByRole('button', { name: 'Tambah catatan' }).dblclick();
  const added = protocol.locator('#note-added');
  await added.getByText('Catatan ditambahkan.').waitFor();
  await assertInViewport(protocol, added, 'the note confirmation');
  await waitFocusIn(protocol, 'note-added', 'the note confirmation');
  await waitSynced(protocol, 'the note to reach the server');
  const detail = await env.api('GET', `/api/v1/staff/requests/${ids.r1}`, { token });
  assert.equal(detail.notes.filter((n) => n.text === NOTE).length, 1, 'one note');
});

test('3. protocol creates an agenda item with a double tap, then cancels it after one question', async () => {
  await tab(protocol, 'Agenda');
  await protocol.getByRole('button', { name: '+ Agenda baru' }).click();
  await protocol.locator('#item-title').fill(ITEM_TITLE);
  await protocol.locator('#item-date').fill(DAY);
  await protocol.locator('#item-start').fill('14:00');
  await protocol.locator('#item-end').fill('15:00');
  await protocol.locator('#item-location').fill('Ruang Rapat Bupati');
  for (const [id, v] of [['item-title', ITEM_TITLE], ['item-date', DAY], ['item-location', 'Ruang Rapat Bupati']]) {
    await waitFor(`#${id} typed`, async () => (await protocol.locator(`#${id}`).inputValue()) === v);
  }
  await protocol.getByRole('button', { name: 'Simpan' }).dblclick();
  // The saved item's own screen: its title, with its date.
  const heading = protocol.locator('main h2', { hasText: ITEM_TITLE });
  await heading.waitFor();
  await assertInViewport(protocol, heading, 'the saved item');
  assert.match(await protocol.locator('main .item-time').first().innerText(), /2026|2027/);
  await waitSynced(protocol, 'the item to reach the server');
  const items = (await agendaOn(DAY)).filter((i) => i.title === ITEM_TITLE);
  assert.equal(items.length, 1, 'one item on the server');

  // "Batalkan agenda" asks first, naming the item; Esc leaves it as it was, focus back.
  const cancel = protocol.locator('#cancel-item');
  await cancel.click();
  const dialog = protocol.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(`Agenda "${ITEM_TITLE}" \\(.*\\) akan dibatalkan`));
  await assertInViewport(protocol, dialog, 'the cancel question');
  await waitFocusIn(protocol, 'confirm-cancel-item', 'the cancel question');
  await env.screenshot(protocol, 'protocol-cancel-item-question');
  await protocol.keyboard.press('Escape');
  await waitFor('the question to close', async () => (await dialog.count()) === 0);
  await waitFocusIn(protocol, 'cancel-item', '"Batalkan agenda" again');
  assert.notEqual((await agendaOn(DAY)).find((i) => i.title === ITEM_TITLE).status, 'cancelled');

  await cancel.click();
  await protocol.getByLabel('Alasan pembatalan').fill('Bupati dinas ke Denpasar');
  await waitFor('the reason typed', async () => (await protocol.getByLabel('Alasan pembatalan').inputValue()) !== '');
  await protocol.getByRole('button', { name: 'Ya, batalkan agenda' }).dblclick();
  const said = protocol.locator('#item-cancelled');
  await said.getByText('Agenda dibatalkan.').waitFor();
  await assertInViewport(protocol, said, 'the cancellation message');
  await waitFocusIn(protocol, 'item-cancelled', 'the cancellation message');
  await waitSynced(protocol, 'the cancellation to reach the server');
  const after = (await agendaOn(DAY)).filter((i) => i.title === ITEM_TITLE);
  assert.equal(after.length, 1);
  assert.equal(after[0].status, 'cancelled');
});

test('4. "Sinkronkan sekarang" says Sudah terbaru; signing out with an unsent change names it', async () => {
  await tab(protocol, 'Sinkronisasi');
  await protocol.getByRole('button', { name: 'Sinkronkan sekarang' }).click();
  const result = protocol.locator('#sync-result');
  await waitFor('Sudah terbaru', async () => /^Sudah terbaru, \d\d\.\d\d$/.test(await result.innerText()), {
    timeoutMs: 30_000,
  });
  await assertInViewport(protocol, result, 'Sudah terbaru');
  await env.screenshot(protocol, 'protocol-up-to-date');

  // Offline, a note waits to be sent: signing out would lose it, and says so.
  await env.stopServer();
  await openFromInbox(protocol, R1.title);
  await protocol.getByLabel('Catatan', { exact: true }).fill(`Belum terkirim ${RUN}`);
  await waitFor('the note typed', async () => (await protocol.getByLabel('Catatan', { exact: true }).inputValue()) !== '');
  await protocol.getByRole('button', { name: 'Tambah catatan' }).click();
  await waitFor('one unsent change', async () => (await protocol.locator('.syncbar').innerText()).includes('1 perubahan belum terkirim'));
  await tab(protocol, 'Sinkronisasi');
  await protocol.locator('#logout').click();
  const dialog = protocol.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /1 perubahan belum terkirim akan hilang bila Anda keluar sekarang/);
  await waitFocusIn(protocol, 'confirm-logout', 'the sign-out question');
  await env.screenshot(protocol, 'protocol-logout-question');
  await dialog.getByRole('button', { name: 'Kembali' }).click();
  await waitFor('the question to close', async () => (await dialog.count()) === 0);
  await waitFocusIn(protocol, 'logout', '"Keluar" again');
  await env.startServer();
  await waitSynced(protocol, 'the kept note to be sent', 90_000);
  const detail = await env.api('GET', `/api/v1/staff/requests/${ids.r1}`, { token });
  assert.equal(detail.notes.filter((n) => n.text === `Belum terkirim ${RUN}`).length, 1, 'the note was kept');
});

test('5. the ajudan approves one request and declines the other after one question', async () => {
  ajudan = await env.device('internal');
  await staffLogin(ajudan, 'ajudan.bupati');
  await waitSynced(ajudan, 'the ajudan app to sync');
  await openFromInbox(ajudan, R1.title);
  await decide(
    ajudan,
    'Setujui (hadir sendiri)',
    `Disetujui. Pemohon, staf protokol, sekretaris pribadi ${LEADER} dan ${LEADER} diberi tahu.`,
  );
  const r1 = await assertTimeline(R1.title, ['submitted', 'in_review', 'awaiting_leader', 'approved']);
  assert.ok(r1.agenda_item_id, 'the approval made an agenda item');
  assert.equal((await agendaOn(DAY)).filter((i) => i.title === R1.title).length, 1, 'one agenda item');
  await env.screenshot(ajudan, 'ajudan-approved');

  await openFromInbox(ajudan, R2_TITLE);
  const decline = ajudan.getByRole('button', { name: 'Tolak', exact: true });
  await decline.click();
  const dialog = ajudan.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(`Permohonan "${R2_TITLE}" akan ditolak`));
  await assertInViewport(ajudan, dialog, 'the decline question');
  await waitFocusIn(ajudan, 'confirm-action', 'the decline question');
  await ajudan.keyboard.press('Escape');
  await waitFor('the question to close', async () => (await dialog.count()) === 0);
  await waitFocusIn(ajudan, 'action-decline', '"Tolak" again');
  assert.equal((await request(R2_TITLE)).state, 'awaiting_leader', 'Esc declined nothing');

  await decline.click();
  await ajudan.getByLabel('Alasan', { exact: true }).fill('Bupati menghadiri rapat di Denpasar');
  await waitFor('the reason typed', async () => (await ajudan.getByLabel('Alasan', { exact: true }).inputValue()) !== '');
  await env.screenshot(ajudan, 'ajudan-decline-question');
  await ajudan.getByRole('button', { name: 'Konfirmasi: Tolak' }).dblclick();
  const done = ajudan.locator('#action-done');
  await waitSynced(ajudan, 'the decline to reach the server');
  await waitFor('the message after Tolak', async () =>
    (await done.innerText()) === `Permohonan ditolak. Pemohon, staf protokol, sekretaris pribadi ${LEADER} dan ${LEADER} diberi tahu.`,
  );
  await assertInViewport(ajudan, done, 'the message after Tolak');
  await waitFocusIn(ajudan, 'action-done', 'the message after Tolak');
  await assertTimeline(R2_TITLE, ['submitted', 'in_review', 'awaiting_leader', 'declined']);
  await ajudan.context().close();
});

test('6. the requester sees the approval and cancels it after one question, once', async () => {
  await tab(citizen, 'Permohonan Saya');
  const mine = citizen.getByRole('article', { name: R1.title, exact: true });
  await waitFor('the approval on the phone', async () => (await mine.innerText()).includes('Disetujui'), {
    timeoutMs: 90_000,
  });
  await mine.click();
  const cancel = citizen.locator('#cancel-request');
  await cancel.click();
  const dialog = citizen.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(`Permohonan "${R1.title}" akan dibatalkan`));
  await assertInViewport(citizen, dialog, 'the cancel question');
  await waitFocusIn(citizen, 'confirm-cancel-request', 'the cancel question');
  await env.screenshot(citizen, 'citizen-cancel-question');
  await dialog.getByRole('button', { name: 'Kembali' }).click();
  await waitFor('the question to close', async () => (await dialog.count()) === 0);
  await waitFocusIn(citizen, 'cancel-request', '"Batalkan permohonan" again');
  assert.equal((await request(R1.title)).state, 'approved', '"Kembali" cancelled nothing');

  await cancel.click();
  await citizen.getByRole('button', { name: 'Ya, batalkan permohonan' }).dblclick();
  await waitSynced(citizen, 'the cancellation to reach the server');
  await waitFor('cancelled on the server', async () => (await request(R1.title)).state === 'cancelled', {
    timeoutMs: 30_000,
  });
  await assertTimeline(R1.title, ['submitted', 'in_review', 'awaiting_leader', 'approved', 'cancelled']);
});
