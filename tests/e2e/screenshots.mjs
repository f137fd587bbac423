// The README's screenshots: every screen of both apps in both languages on a 360×800 phone,
// taken in headless chromium from the liveview build against a demo server (the same walk as
// the accessibility audit, lib/screens.mjs). Each screen is shot whole (the app shell unrolled
// to the page's full height) unless it is a long list. Fails, naming the screen, when a screen is wider than the phone
// or a picture is empty (nearly one colour).
// Run through scripts/screenshots. Output: docs/screenshots/<variant>-<lang>-<screen>.png

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Env, REPO, witaDate } from './lib/harness.mjs';
import { PHONE, LANGS, walkPublic, walkInternal, horizontalOverflow } from './lib/screens.mjs';

/** Taller screens are shot as the phone shows them (keeps the pictures small). */
const MAX_HEIGHT = 2800;
const OUT = process.env.SCREENSHOTS_DIR || path.join(REPO, 'docs/screenshots');
mkdirSync(OUT, { recursive: true });

/** The share of the picture's pixels that have its most common colour (decoded by chromium). */
async function mainColourShare(page, file) {
  const data = readFileSync(file).toString('base64');
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = new Uint32Array(g.getImageData(0, 0, img.width, img.height).data.buffer);
    const counts = new Map();
    for (const p of px) counts.set(p, (counts.get(p) || 0) + 1);
    return Math.max(...counts.values()) / px.length;
  }, `data:image/png;base64,${data}`);
}

const env = await Env.start('screenshots');
const failures = [];
const taken = [];
try {
  const inspector = await (await env.browser.newContext()).newPage();
  // The emptiness check itself: a blank page must count as empty.
  const blank = path.join(env.artifacts, 'blank.png');
  await inspector.screenshot({ path: blank });
  if ((await mainColourShare(inspector, blank)) <= 0.97) throw new Error('the empty-picture check missed a blank page');
  const token = await env.login('protokol');
  const inbox = await env.api('GET', '/api/v1/staff/requests', { token });
  const trackingCode = inbox.entries.map((e) => e.request.tracking_code).find((c) => c);
  for (const lang of LANGS) {
    for (const variant of ['public', 'internal']) {
      const shoot = async (name, page) => {
        const file = path.join(OUT, `${variant}-${lang}-${name}.png`);
        const wide = await horizontalOverflow(page);
        if (wide) failures.push(`${variant} ${lang} ${name}: ${wide}`);
        // Unroll the app shell so that the picture holds the whole screen; a long list (the
        // inbox, a week of agenda) is shown as the phone shows it, its first screenful.
        const unroll = await page.addStyleTag({
          content: '.app { height: auto !important; min-height: 100vh; } .app > .content { overflow: visible !important; }',
        });
        const tall = await page.evaluate(() => document.documentElement.scrollHeight);
        if (tall > MAX_HEIGHT) await unroll.evaluate((el) => el.remove());
        await page.screenshot({ path: file, fullPage: tall <= MAX_HEIGHT });
        if (tall <= MAX_HEIGHT) await unroll.evaluate((el) => el.remove());
        const share = await mainColourShare(inspector, file);
        if (share > 0.97) failures.push(`${file}: empty picture (${(share * 100).toFixed(1)} % one colour)`);
        taken.push(path.relative(REPO, file));
      };
      const page = await env.device(variant, { viewport: PHONE });
      const ctx = { problems: failures, trackingCode, date: witaDate(30 + LANGS.indexOf(lang)) };
      try {
        if (variant === 'public') await walkPublic(page, lang, shoot, ctx);
        else await walkInternal(page, lang, shoot, ctx);
      } finally {
        await page.context().close();
      }
    }
  }
} finally {
  await env.close();
}
console.log(taken.join('\n'));
if (failures.length > 0) {
  console.error(`\n${failures.length} problem(s):\n${failures.join('\n')}`);
  process.exit(1);
}
