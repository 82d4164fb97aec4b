// What the dashboard's Chromium scripts share: the failure check, a form submission that waits
// for the page it leads to, and the check every page passes (labelled inputs, nothing wider
// than the viewport) with its screenshot into the artifacts folder.
import path from 'node:path';

export const timeout = 20000;

export function check(condition, message) {
  if (!condition) throw new Error(message);
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
