// Accessibility of both apps (WCAG 2.2 AA), in headless chromium against the liveview build and
// a real server with demo data: every screen of both variants, in both languages, including the
// forms' error states, on a 360×800 phone. On each screen:
// - axe-core (WCAG 2.0/2.1/2.2 A and AA rules, `target-size` included) finds nothing of impact
//   serious or critical;
// - heading levels never skip one, ids are unique, buttons and controls are at least 44 px tall;
// - the page is no wider than the screen;
// - with the root font size at 200 %, the page is still no wider than the screen and no text is
//   wider than its box or clipped (WCAG 1.4.4);
// - after a failed submit, focus is on the error summary at the top, which is the screen's only
//   alert and links to each field.
// Every problem is collected and the test fails listing all of them.
//
// Run through tests/e2e/run; screenshots of every audited screen go to
// target/e2e-artifacts/a11y/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Env, witaDate } from './lib/harness.mjs';
import {
  PHONE,
  LANGS,
  walkPublic,
  walkInternal,
  axeViolations,
  horizontalOverflow,
  cutOffText,
  textSize,
  structureProblems,
} from './lib/screens.mjs';

let env;
let trackingCode;

before(async () => {
  env = await Env.start('a11y');
  const token = await env.login('protokol');
  const inbox = await env.api('GET', '/api/v1/staff/requests', { token });
  trackingCode = inbox.entries.map((e) => e.request.tracking_code).find((c) => c);
  assert.ok(trackingCode, 'the demo data has a request with a tracking code');
});

after(async () => {
  await env?.close();
});

/** Audits one screen; what is wrong goes to `problems`. */
function auditor(label, problems, counted) {
  return async (name, page) => {
    counted.push(name);
    const where = `${label} ${name}`;
    await env.screenshot(page, `${label.replace(' ', '-')}-${name}`);
    for (const v of await axeViolations(page)) problems.push(`${where}: ${v}`);
    for (const p of await structureProblems(page)) problems.push(`${where}: ${p}`);
    const wide = await horizontalOverflow(page);
    if (wide) problems.push(`${where}: ${wide}`);
    await textSize(page, 200);
    try {
      const before = problems.length;
      const wideLarge = await horizontalOverflow(page);
      if (wideLarge) problems.push(`${where} at 200 % text: ${wideLarge}`);
      for (const c of await cutOffText(page)) problems.push(`${where} at 200 % text: ${c}`);
      if (problems.length > before) await env.screenshot(page, `${label.replace(' ', '-')}-${name}-200`);
    } finally {
      await textSize(page, 100);
    }
  };
}

for (const lang of LANGS) {
  test(`public app in ${lang}: every screen passes the audit at 360 px`, async () => {
    const problems = [];
    const screens = [];
    const page = await env.device('public', { viewport: PHONE });
    try {
      await walkPublic(page, lang, auditor(`public ${lang}`, problems, screens), {
        problems,
        trackingCode,
        date: witaDate(20 + LANGS.indexOf(lang)),
      });
    } finally {
      await page.context().close();
    }
    assert.deepEqual(screens, [
      'pengaturan', 'jadwal', 'ajukan', 'ajukan-galat', 'ajukan-terkirim', 'permohonan-saya',
      'permohonan-saya-rincian', 'lacak', 'lacak-hasil',
    ]);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });

  test(`staff app in ${lang}: every screen passes the audit at 360 px`, async () => {
    const problems = [];
    const screens = [];
    const page = await env.device('internal', { viewport: PHONE });
    try {
      await walkInternal(page, lang, auditor(`internal ${lang}`, problems, screens), { problems });
    } finally {
      await page.context().close();
    }
    assert.deepEqual(screens, [
      'masuk', 'masuk-galat', 'kotak-masuk', 'rincian', 'agenda', 'agenda-rincian', 'agenda-baru',
      'agenda-baru-galat', 'sinkronisasi', 'laporan',
    ]);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });
}

// Offline (the server stopped): the yellow sync bar "Luring" passes the audit too.
test('offline: the sync bar passes the audit', async () => {
  const page = await env.device('public', { viewport: PHONE });
  try {
    await page.locator('header.topbar h1').waitFor();
    await env.stopServer();
    await page.getByRole('button', { name: 'Perbarui' }).click();
    await page.locator('.syncbar.offline').waitFor({ timeout: 30_000 });
    assert.deepEqual(await axeViolations(page), []);
    assert.equal(await horizontalOverflow(page), null);
  } finally {
    await env.startServer();
    await page.context().close();
  }
});

// The checks themselves can fail: a page made wide, an element made too small for its text, and
// a low-contrast text are each reported.
test('the checks catch overflow, cut-off text and low contrast', async () => {
  const page = await env.device('public', { viewport: PHONE });
  try {
    await page.locator('header.topbar h1').waitFor();
    await page.evaluate(() => {
      const wide = document.createElement('div');
      wide.style.width = '500px';
      wide.textContent = 'lebar';
      const narrow = document.createElement('p');
      narrow.style.cssText = 'width: 40px; white-space: nowrap';
      narrow.textContent = 'Penyelenggara (instansi/organisasi)';
      const faint = document.createElement('p');
      faint.style.cssText = 'color: #bbbbbb; background: #ffffff';
      faint.textContent = 'Teks pucat';
      document.body.append(wide, narrow, faint);
    });
    assert.match(await horizontalOverflow(page), /is \d+ px wide on a 360 px screen/);
    assert.ok((await cutOffText(page)).some((c) => c.includes('Penyelenggara')));
    assert.ok((await axeViolations(page)).some((v) => v.startsWith('color-contrast')));
    await page.evaluate(() => {
      const h = document.createElement('h4');
      h.textContent = 'Lompat';
      const twin = document.createElement('span');
      twin.id = 'content';
      const tiny = document.createElement('button');
      tiny.style.cssText = 'min-height: 0; height: 30px';
      tiny.textContent = 'kecil';
      document.body.append(h, twin, tiny);
    });
    const structure = (await structureProblems(page)).join('\n');
    assert.match(structure, /"Lompat" jumps from h\d to h4/);
    assert.match(structure, /two elements have id="content"/);
    assert.match(structure, /"kecil" is 30 px tall/);
  } finally {
    await page.context().close();
  }
});
