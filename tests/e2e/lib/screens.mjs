// Every screen of both apps, in both languages, at a phone's width: a walk through the apps that
// calls `visit(name, page)` on each screen state (the accessibility audit and the screenshot
// script share it), and the page checks both use: axe-core, horizontal overflow, text cut off.
// Navigation is by element ids and tab positions, so the same walk works in either language.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { waitFor, PASSWORD } from './harness.mjs';

/** A small, cheap phone. */
export const PHONE = { width: 360, height: 800 };
export const LANGS = ['id', 'en'];

// The few texts the walk needs to know a screen has opened (from src/i18n).
const TEXT = {
  id: {
    schedule: 'Jadwal Pimpinan', form: 'Ajukan Permohonan', mine: 'Permohonan Saya',
    track: 'Lacak Permohonan', settings: 'Pengaturan', login: 'Masuk Staf', inbox: 'Kotak Masuk',
    detail: 'Rincian Permohonan', agenda: 'Agenda Pimpinan', newItem: 'Agenda baru',
    sync: 'Status Sinkronisasi', submitted: /Permohonan (tersimpan|terkirim)/, reports: 'Laporan Bulanan',
  },
  en: {
    schedule: "The leaders' schedule", form: 'Submit a request', mine: 'My requests',
    track: 'Track a request', settings: 'Settings', login: 'Staff sign-in', inbox: 'Inbox',
    detail: 'Request details', agenda: "Leaders' agenda", newItem: 'New item', sync: 'Sync status',
    submitted: /Request (saved|sent)/, reports: 'Monthly report',
  },
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Waits until the top bar names the screen. */
async function title(page, text) {
  await waitFor(`the screen "${text}"`, async () => (await page.locator('header.topbar h1').innerText()) === text, {
    timeoutMs: 20_000,
  });
}

/** Taps the n-th bottom tab (1-based). */
/** Clicks the `n`-th tab (from 1), or the last one (`'last'`: Pengaturan / Sinkronisasi, which
 * stay last whatever tabs come before them). */
async function tab(page, n) {
  const which = n === 'last' ? 'last-child' : `nth-child(${n})`;
  await page.locator(`nav.tabs button:${which}`).click();
}

/** Waits (bounded) until the screen's main content shows at least one card; some lists may be
 * empty on a given day, so this only gives the sync time to fill them. */
async function someCards(page, ms = 15_000) {
  await waitFor('cards', async () => (await page.locator('main article').count()) > 0, { timeoutMs: ms }).catch(() => {});
}

/** Chooses the app's language on a screen that has the language select. */
async function chooseLanguage(page, lang) {
  await page.locator('#language').selectOption(lang);
  await waitFor(`lang=${lang}`, async () => (await page.locator('html').getAttribute('lang')) === lang);
}

/**
 * After a failed submit: focus is on the error summary at the top, it is the only alert on the
 * screen, and each of its links points at a field that exists. Returns what is wrong, if anything.
 */
export async function errorSummaryProblems(page) {
  await page.locator('#error-summary').waitFor();
  await waitFor('focus on the error summary', async () =>
    page.evaluate(() => document.activeElement?.id === 'error-summary'),
  { timeoutMs: 5_000 }).catch(() => {});
  return page.evaluate(() => {
    const problems = [];
    if (document.activeElement?.id !== 'error-summary') {
      problems.push(`focus is on ${document.activeElement?.tagName}#${document.activeElement?.id}, not the error summary`);
    }
    const alerts = document.querySelectorAll('main [role=alert]');
    if (alerts.length !== 1) problems.push(`${alerts.length} alerts on the screen, expected 1`);
    const links = [...document.querySelectorAll('#error-summary a')];
    if (links.length === 0) problems.push('the error summary lists no field');
    for (const a of links) {
      const id = decodeURIComponent(a.getAttribute('href').slice(1));
      if (!document.getElementById(id)) problems.push(`the summary links to #${id}, which does not exist`);
    }
    const top = document.getElementById('error-summary').getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight) problems.push('the error summary is off-screen');
    return problems;
  });
}

/** The public app: every screen, in `lang`. `ctx.trackingCode` is a code to look up. */
export async function walkPublic(page, lang, visit, ctx) {
  const T = TEXT[lang];
  await title(page, TEXT.id.schedule);
  await tab(page, 'last');
  await chooseLanguage(page, lang);
  await title(page, T.settings);
  await visit('pengaturan', page);

  await tab(page, 1);
  await title(page, T.schedule);
  await page.locator('.segmented button:nth-child(2)').click(); // week
  await someCards(page);
  await visit('jadwal', page);

  await tab(page, 2);
  await title(page, T.form);
  await visit('ajukan', page);
  await page.locator('form button[type=submit]').click();
  ctx.problems.push(...(await errorSummaryProblems(page)).map((p) => `public ${lang} form: ${p}`));
  await visit('ajukan-galat', page);
  // A valid request, to have something under My requests.
  const fields = {
    title: `Uji aksesibilitas ${lang} ${Date.now().toString(36)}`,
    description: 'Permohonan uji untuk pemeriksaan aksesibilitas aplikasi.',
    start_date: ctx.date,
    start_time: '10:00',
    end_time: '11:00',
    location: 'Wantilan DPRD Klungkung',
    organizer: 'Dinas Komunikasi dan Informatika',
    leader_role: 'membuka acara',
    expected_attendees: '80',
    requester_name: 'Ni Kadek Ayu Lestari',
    requester_phone: '0812 3456 7890',
  };
  for (const [id, value] of Object.entries(fields)) {
    await page.locator(`#${id}`).fill(value);
    await waitFor(`#${id}`, async () => (await page.locator(`#${id}`).inputValue()) === value, { timeoutMs: 10_000 });
  }
  // With the invitation letter, so that the request's own screen lists it.
  await page.locator('#attachment').setInputFiles({
    name: 'surat-undangan.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n%surat undangan\n%%EOF\n'),
  });
  await page.locator('form li', { hasText: 'surat-undangan.pdf' }).waitFor();
  await page.locator('form button[type=submit]').click();
  // The "sent" screen, with the code once the sync has brought it.
  await page.locator('#sent-heading', { hasText: T.submitted }).waitFor();
  await page.locator('#tracking-code').waitFor({ timeout: 30_000 });
  await visit('ajukan-terkirim', page);

  await tab(page, 3);
  await title(page, T.mine);
  await someCards(page);
  await visit('permohonan-saya', page);
  await page.locator('main article').first().click();
  await page.locator('main h2').first().waitFor();
  // The letter, once uploaded, as a button that opens it.
  await page.locator('.attachment-open').waitFor({ timeout: 30_000 });
  await visit('permohonan-saya-rincian', page);

  await tab(page, 4);
  await title(page, T.track);
  await visit('lacak', page);
  await page.locator('#track-code').fill(ctx.trackingCode);
  await waitFor('the code typed', async () => (await page.locator('#track-code').inputValue()) === ctx.trackingCode);
  await page.locator('form button[type=submit]').click();
  await page.locator('main section.card h2').waitFor();
  await visit('lacak-hasil', page);
}

/** The staff app: every screen, in `lang`, signed in as `username`. */
export async function walkInternal(page, lang, visit, ctx, username = 'protokol') {
  const T = TEXT[lang];
  await title(page, TEXT.id.login);
  await chooseLanguage(page, lang);
  await title(page, T.login);
  await visit('masuk', page);
  await page.locator('form button[type=submit]').click();
  await page.locator('main .notice.error').waitFor();
  await visit('masuk-galat', page);

  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await waitFor('the password typed', async () => (await page.locator('#password').inputValue()) === PASSWORD);
  await page.locator('form button[type=submit]').click();
  await title(page, T.inbox);
  await someCards(page, 30_000);
  await visit('kotak-masuk', page);

  // The first request that waits for the leader: its detail shows every field.
  await page.locator('main article', { has: page.locator('.chip.state-awaiting_leader') }).first().click();
  await title(page, T.detail);
  await visit('rincian', page);

  await tab(page, 2);
  await title(page, T.agenda);
  await page.locator('.segmented button:nth-child(2)').click(); // week
  await someCards(page);
  await visit('agenda', page);
  // The week's days already past are folded away: open an item from today on.
  await page.locator('main article:visible').first().click();
  await page.locator('main h2').first().waitFor();
  await visit('agenda-rincian', page);

  await tab(page, 2);
  await title(page, T.agenda);
  await page.locator('main button.primary.block').first().click(); // + new item
  await title(page, T.newItem);
  await visit('agenda-baru', page);
  await page.locator('form button[type=submit]').click();
  ctx.problems.push(...(await errorSummaryProblems(page)).map((p) => `internal ${lang} agenda form: ${p}`));
  await visit('agenda-baru-galat', page);

  await tab(page, 'last');
  await title(page, T.sync);
  await visit('sinkronisasi', page);

  // Laporan (protocol staff and admin): this month's report, as tables with bars.
  await tab(page, 4);
  await title(page, T.reports);
  await page.locator('main form button[type=submit]').click();
  await page.locator('main table.report-table').first().waitFor({ timeout: 30_000 });
  await visit('laporan', page);
}

/** axe-core's findings of impact serious or critical, with WCAG 2.2 A/AA rules (incl. target-size). */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: axeSource });
  }
  const result = await page.evaluate(async () =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: { 'target-size': { enabled: true } },
      resultTypes: ['violations'],
    }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** The page is wider than the screen (it would scroll sideways or zoom out). */
export async function horizontalOverflow(page) {
  const { scroll, inner, culprits } = await page.evaluate(() => {
    const inner = window.innerWidth;
    // The innermost elements reaching past the right edge: what to fix.
    // A box made to scroll sideways (the state filter chips) may hold wider content.
    const inScroller = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const x = getComputedStyle(a).overflowX;
        if ((x === 'auto' || x === 'scroll') && a.getBoundingClientRect().right <= inner + 1) return true;
      }
      return false;
    };
    const past = [...document.querySelectorAll('body *')].filter(
      (el) => el.getBoundingClientRect().right > inner + 1 && !inScroller(el),
    );
    const culprits = past
      .filter((el) => !past.some((other) => other !== el && el.contains(other)))
      .slice(0, 3)
      .map((el) => `<${el.tagName.toLowerCase()} id="${el.id}" class="${el.className}"> "${el.textContent.trim().slice(0, 30)}"`);
    return { scroll: document.documentElement.scrollWidth, inner, culprits };
  });
  // The screen's own box clips sideways, so the page's width alone would not show what runs
  // past the edge inside it: the elements are checked too.
  return scroll > inner || culprits.length > 0
    ? `the page is ${scroll} px wide on a ${inner} px screen: ${culprits.join(', ')}`
    : null;
}

/**
 * Text that does not fit its box: an element holding text whose content is wider than the box
 * (it runs over its neighbours or is clipped), or taller than a box that hides overflow. Form
 * controls and boxes made to scroll are left out.
 */
export async function cutOffText(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      if (['INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'SCRIPT', 'STYLE', 'PROGRESS'].includes(el.tagName)) continue;
      if (el.closest('.sr-only')) continue;
      const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
      if (!hasText) continue;
      const s = getComputedStyle(el);
      if (s.display === 'inline' || s.display === 'contents' || s.visibility === 'hidden') continue;
      const scrolls = (v) => v === 'auto' || v === 'scroll';
      const wide = el.scrollWidth > el.clientWidth + 1 && !scrolls(s.overflowX);
      const clipped = (s.overflowY === 'hidden' || s.overflowY === 'clip') && el.scrollHeight > el.clientHeight + 1;
      if (wide || clipped) {
        const text = el.textContent.trim().slice(0, 40);
        out.push(`<${el.tagName.toLowerCase()} class="${el.className}"> "${text}" needs ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
      }
    }
    return out;
  });
}

/** Sets the root font size to `percent` of the app's own (which is 17 px), or back. */
export async function textSize(page, percent) {
  await page.evaluate((p) => {
    document.documentElement.style.fontSize = p === 100 ? '' : `${(17 * p) / 100}px`;
  }, percent);
  await page.waitForTimeout(100);
}

/**
 * The app's own rules beyond axe's WCAG set: heading levels never skip one (h1 → h3), every id
 * is unique, and every button and form control is at least 44 px tall (the apps' touch target).
 */
export async function structureProblems(page) {
  return page.evaluate(() => {
    const out = [];
    let last = 0;
    for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const level = Number(h.tagName[1]);
      if (last && level > last + 1) out.push(`heading "${h.textContent.trim().slice(0, 30)}" jumps from h${last} to h${level}`);
      last = level;
    }
    const seen = new Set();
    for (const el of document.querySelectorAll('[id]')) {
      if (seen.has(el.id)) out.push(`two elements have id="${el.id}"`);
      seen.add(el.id);
    }
    for (const el of document.querySelectorAll('button, select, input:not([type=hidden]), textarea')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown
      if (r.height < 44 - 0.5) out.push(`<${el.tagName.toLowerCase()} id="${el.id}"> "${(el.textContent || el.value || '').trim().slice(0, 30)}" is ${Math.round(r.height)} px tall (< 44)`);
    }
    return out;
  });
}
