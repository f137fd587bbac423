// A staff member's new device (issue 23, point 3), in the liveview build against a real server:
// the notification settings the server holds (phone, e-mail) are on screen after sign-in, and
// "Simpan" with nothing changed keeps them on the server — it never blanks what the person did
// not see. A change typed on the new device reaches the server, and another device shows it.
//
// Run through tests/e2e/run; screenshots go to ${E2E_ARTIFACTS}/journey-new-device/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor, tab, staffLogin } from './lib/harness.mjs';

const PHONE = '0812 3456 7001';
const EMAIL = 'protokol.klungkung@example.go.id';

let env;
let token;

before(async () => {
  env = await Env.start('journey-new-device');
  token = await env.login('protokol');
  // Set on an earlier device (here: through the API, as that device's app does).
  await env.api('PUT', '/api/v1/staff/notification-settings', {
    token,
    body: { phone: PHONE, email: EMAIL, channels: [] },
  });
});

after(async () => {
  await env?.close();
});

const settingsCard = (page) => page.locator('#notification-settings');
const fieldValue = (page, id) => page.locator(`#${id}`).inputValue();

test('a new device shows the settings the server holds, and Simpan keeps them', async () => {
  const server = await env.api('GET', '/api/v1/staff/notification-settings', { token });
  assert.ok(server.phone && server.email === EMAIL, JSON.stringify(server));

  const device = await env.device('internal');
  await device.getByRole('heading', { name: 'Masuk Staf' }).waitFor();
  await staffLogin(device, 'protokol');
  await tab(device, 'Sinkronisasi');
  await settingsCard(device).waitFor();
  // What the server holds is what the person sees (not empty fields).
  await waitFor('the phone from the server', async () => (await fieldValue(device, 'notify-phone')) === server.phone);
  assert.equal(await fieldValue(device, 'notify-email'), EMAIL);
  await env.screenshot(device, 'new-device-settings-loaded');

  // "Simpan" with nothing changed: confirmed on screen, and the server keeps both values.
  await settingsCard(device).getByRole('button', { name: 'Simpan', exact: true }).click();
  await settingsCard(device).getByText('Pengaturan tersimpan.').waitFor();
  const kept = await env.api('GET', '/api/v1/staff/notification-settings', { token });
  assert.equal(kept.phone, server.phone);
  assert.equal(kept.email, EMAIL);

  // A change typed on the new device reaches the server; a second device shows it.
  const changed = 'humas.protokol@example.go.id';
  await device.locator('#notify-email').fill(changed);
  await settingsCard(device).getByRole('button', { name: 'Simpan', exact: true }).click();
  await waitFor('the new e-mail on the server', async () => {
    const now = await env.api('GET', '/api/v1/staff/notification-settings', { token });
    return now.email === changed && now.phone === server.phone;
  });
  const second = await env.device('internal');
  await second.getByRole('heading', { name: 'Masuk Staf' }).waitFor();
  await staffLogin(second, 'protokol');
  await tab(second, 'Sinkronisasi');
  await waitFor('the changed e-mail on the second device', async () => (await fieldValue(second, 'notify-email')) === changed);
  assert.equal(await fieldValue(second, 'notify-phone'), server.phone);
  await env.screenshot(second, 'second-device-settings');
});
