// Headless Chromium decides an approval (CONTRACT §10, issue 23): the owner signs in, opens
// the approvals inbox from the header, finds the pending request with the agent's reasoning
// and context, writes a comment and approves it; the inbox then lists it as approved, by the
// owner, with the comment. The inbox is checked wide and narrow (labelled inputs, no page
// wider than the viewport, no CSP violation) and screenshotted into OAKGATE_ARTIFACTS.
//
// Environment: OAKGATE_URL, OAKGATE_EMAIL, OAKGATE_PASSWORD, OAKGATE_APPROVAL_ID (pending),
// OAKGATE_ARTIFACTS. Prints one JSON line {"status", "pages"}; exits non-zero on any failure.
import fs from 'node:fs';

import { browser, check, pageChecker, submit, timeout } from './dashboard_pages.mjs';

const gateway = process.env.OAKGATE_URL;
const email = process.env.OAKGATE_EMAIL;
const password = process.env.OAKGATE_PASSWORD;
const approvalId = process.env.OAKGATE_APPROVAL_ID;
const artifacts = process.env.OAKGATE_ARTIFACTS;

const violations = [];
const { shots, checkPage } = pageChecker(artifacts);
let context;
let dir;
let exitCode = 0;
try {
  fs.mkdirSync(artifacts, { recursive: true });
  let page;
  ({ context, page, dir } = await browser(violations, 'oakgate-inbox-'));

  await page.goto(`${gateway}/dashboard`, { timeout });
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submit(page, 'button[type=submit]');
  check(new URL(page.url()).pathname === '/dashboard', `login: ${page.url()}`);

  // The header leads to the inbox, where the request waits with what the agent said.
  await Promise.all([page.waitForNavigation({ timeout }),
    page.click('nav a[href="/dashboard/approvals"]')]);
  const card = page.locator(`#pending-approvals article[data-approval-id="${approvalId}"]`);
  check(await card.count() === 1, 'the pending approval is not in the inbox');
  check((await card.locator('.reasoning').textContent()).includes('deploy the hotfix'),
    'no reasoning');
  check((await card.locator('pre.context').textContent()).includes('"branch": "main"'),
    'no context');
  await checkPage(page, 'approvals-pending');
  await page.setViewportSize({ width: 375, height: 800 });
  await checkPage(page, 'approvals-pending-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });

  await card.locator('textarea[name=comment]').fill('ok for the hotfix');
  await submit(page, `article[data-approval-id="${approvalId}"] button.approve`);
  check(new URL(page.url()).pathname === '/dashboard/approvals', `after approving: ${page.url()}`);
  check(await page.locator(`#pending-approvals article[data-approval-id="${approvalId}"]`).count()
    === 0, 'still pending');
  const row = page.locator(`#decided-approvals tr[data-approval-id="${approvalId}"]`);
  check(await row.count() === 1, 'not listed as decided');
  const status = (await row.locator('.status').textContent()).trim();
  check(status === 'approved', `status ${status}`);
  check((await row.locator('.decided-by').textContent()).includes(email), 'not by the owner');
  check((await row.locator('.comment').textContent()).includes('ok for the hotfix'), 'no comment');
  await checkPage(page, 'approvals-decided');

  check(violations.length === 0, `CSP violations or script errors: ${violations.join(' | ')}`);
  console.log(JSON.stringify({ status, pages: shots.length }));
} catch (e) {
  console.error(e.stack || String(e));
  exitCode = 1;
} finally {
  await context?.close().catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
