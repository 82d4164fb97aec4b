// Headless Chromium works in a team's organization (issue 22): the owner signs in, switches
// from its personal organization to the team with the header's switcher (and lands on the
// same section, now the team's), makes a member an admin on the members page and invites
// someone (the link shown once, not again on reload). The member
// then signs in in another browser and finds its new role in the header, with the controls of
// an admin and none over the owner. The team's usage page is visited on the way. Every page's inputs must have labels, nothing may break
// the CSP, and every page is screenshotted into OAKGATE_ARTIFACTS.
//
// Environment: OAKGATE_URL, OAKGATE_PASSWORD (both users'), OAKGATE_OWNER_EMAIL,
// OAKGATE_MEMBER_EMAIL, OAKGATE_ORG_ID (the team, which both belong to), OAKGATE_ARTIFACTS.
// Prints one JSON line {"member_role", "pages"}; exits non-zero on any failure.
import fs from 'node:fs';

import { browser as openBrowser, check, pageChecker, submit, timeout } from './dashboard_pages.mjs';

const gateway = process.env.OAKGATE_URL;
const password = process.env.OAKGATE_PASSWORD;
const ownerEmail = process.env.OAKGATE_OWNER_EMAIL;
const memberEmail = process.env.OAKGATE_MEMBER_EMAIL;
const orgId = process.env.OAKGATE_ORG_ID;
const artifacts = process.env.OAKGATE_ARTIFACTS;

const violations = [];

const { shots, checkPage } = pageChecker(artifacts);

const browser = () => openBrowser(violations, 'oakgate-orgs-');

async function signIn(page, email, where) {
  await page.goto(`${gateway}${where}`, { timeout });
  check(new URL(page.url()).pathname === '/web/login', `expected the login page: ${page.url()}`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submit(page, 'button[type=submit]');
  check(new URL(page.url()).pathname === where, `login did not return to ${where}: ${page.url()}`);
}

// The option the header's switcher marks as the current organization.
async function currentOrg(page) {
  return page.$eval('#org-select', (s) => s.options[s.selectedIndex].value);
}

const opened = [];
let exitCode = 0;
try {
  fs.mkdirSync(artifacts, { recursive: true });
  const owner = await browser();
  opened.push(owner);
  let page = owner.page;

  // The owner starts in its personal organization: the team's member is not listed.
  await signIn(page, ownerEmail, '/dashboard/members');
  check(await currentOrg(page) !== orgId, 'the team is chosen before any switch');
  check(!(await page.textContent('#members')).includes(memberEmail), 'the member in the wrong org');
  check(await page.locator(`#org-select option[value="${orgId}"]`).count() === 1,
        'the team is not offered in the switcher');
  await checkPage(page, 'members-personal');

  // Switch in the header: back on the members page, now the team's.
  await page.selectOption('#org-select', orgId);
  await submit(page, '#org-switch button[type=submit]');
  check(new URL(page.url()).pathname === '/dashboard/members', `after the switch: ${page.url()}`);
  check(await currentOrg(page) === orgId, 'the switcher does not mark the team');
  check((await page.getAttribute('#current-org', 'data-role')) === 'owner', 'the owner role');
  const row = page.locator('#members tr', { hasText: memberEmail });
  check(await row.count() === 1, 'the member is not listed in the team');
  check((await row.getAttribute('data-role')) === 'member', 'the member starts as member');
  await checkPage(page, 'members-team');
  // The choice holds on the other pages.
  await page.goto(`${gateway}/dashboard/agents`, { timeout });
  check(await currentOrg(page) === orgId, 'the choice did not hold on another page');
  await page.goto(`${gateway}/dashboard/usage`, { timeout });
  check((await page.getAttribute('#daily-chart', 'data-total')) === '0', 'the usage chart');
  check(await currentOrg(page) === orgId, 'the usage page is not the team\'s');
  await checkPage(page, 'usage-team');
  await page.goto(`${gateway}/dashboard/members`, { timeout });

  // Make the member an admin.
  await row.locator('select').selectOption('admin');
  await Promise.all([page.waitForNavigation({ timeout }), row.locator('.role-form button').click()]);
  check(new URL(page.url()).pathname === '/dashboard/members', `after the change: ${page.url()}`);
  const changed = page.locator('#members tr', { hasText: memberEmail });
  check((await changed.getAttribute('data-role')) === 'admin', 'the role did not change');
  check((await changed.locator('td.role').textContent()) === 'admin', 'the role cell');
  await checkPage(page, 'members-changed');

  // An invitation: its link is shown once; reloaded, the page says so and shows none.
  await page.fill('#invite-email-input', 'later@example.com');
  await page.selectOption('#invite-role-input', 'member');
  await submit(page, '#create-invitation button[type=submit]');
  check(/^\/dashboard\/members\/invitations\/[0-9a-f-]{36}\/created$/.test(new URL(page.url()).pathname),
        `not the invitation's page: ${page.url()}`);
  check((await page.textContent('#invite-email')) === 'later@example.com', 'the invited email');
  const link = await page.inputValue('#new-invite');
  check(link.startsWith(`${gateway}/web/invitations/`), `not an invitation link: ${link}`);
  check(await page.isVisible('#copy-invite'), 'the copy button is hidden: did the script run?');
  await checkPage(page, 'invitation-created');
  await page.reload({ timeout });
  check(await page.locator('#new-invite').count() === 0, 'the link is shown again on reload');
  check(await page.isVisible('#invite-shown-once'), 'no "shown once" notice on reload');
  await page.goto(`${gateway}/dashboard/members`, { timeout });
  check(await page.locator('#invitations tr', { hasText: 'later@example.com' }).count() === 1,
        'the invitation is not listed once');

  // The member, in its own browser, switches to the team and is an admin there: it manages
  // agents, and has no control over the owner.
  const member = await browser();
  opened.push(member);
  page = member.page;
  await signIn(page, memberEmail, '/dashboard/agents');
  await page.selectOption('#org-select', orgId);
  await submit(page, '#org-switch button[type=submit]');
  check(new URL(page.url()).pathname === '/dashboard/agents', `after the switch: ${page.url()}`);
  check((await page.getAttribute('#current-org', 'data-role')) === 'admin', 'not an admin');
  check(await page.locator('#create-agent').count() === 1, 'an admin creates agents');
  await page.goto(`${gateway}/dashboard/members`, { timeout });
  const ownerRow = page.locator('#members tr', { hasText: ownerEmail });
  check(await ownerRow.locator('form').count() === 0, 'an admin has controls over the owner');
  check(await page.locator('#members .leave-form').count() === 1, 'no way to leave');
  await page.setViewportSize({ width: 375, height: 800 });
  await checkPage(page, 'members-admin-narrow');

  check(violations.length === 0, `CSP violations or script errors: ${violations.join(' | ')}`);
  console.log(JSON.stringify({ member_role: 'admin', pages: shots.length }));
} catch (e) {
  console.error(e.stack || String(e));
  exitCode = 1;
} finally {
  for (const b of opened) {
    await b.context.close();
    fs.rmSync(b.dir, { recursive: true, force: true });
  }
}
process.exit(exitCode);
