// What the dashboard's Chromium scripts share: the failure check, a browser of its own, a form
// submission that waits for the page it leads to, and the check every page passes (labelled
// inputs, nothing wider than the viewport) with its screenshot into the artifacts folder.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const timeout = 20000;

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Headless Chromium with a fresh profile in a temporary directory, and a page whose CSP
// violations and script errors are added to `violations`. Returns { context, page, dir }.
export async function browser(violations, prefix = 'oakgate-browser-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('pageerror', (e) => violations.push(`script error: ${e.message}`));
  return { context, page, dir };
}

export async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ timeout }), page.click(selector)]);
}

// checkPage(page, name): every visible form control has a label (for=id or aria-label), and
// nothing overflows the viewport sideways (tables scroll inside their own box); the page is
// screenshotted into `artifacts` and its file added to `shots`.
export function pageChecker(artifacts) {
  const shots = [];
  async function checkPage(page, name) {
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll(
      'input:not([type=hidden]), select, textarea')].filter((el) =>
      !el.getAttribute('aria-label') && !(el.id && document.querySelector(`label[for="${el.id}"]`)))
      .map((el) => el.outerHTML));
    check(unlabelled.length === 0, `${name}: inputs without labels: ${unlabelled.join(' ')}`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 1, `${name}: the page is ${overflow}px wider than the viewport`);
    const file = path.join(artifacts, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  }
  return { shots, checkPage };
}
