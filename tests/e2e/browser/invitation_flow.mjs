// Headless Chromium follows an invitation the way the invited person does (CONTRACT §9):
// open the invite_url signed out -> the sign-up page (the invited address filled in) -> sign
// up -> the login page -> sign in -> back on the invitation -> accept -> the dashboard. Then
// the same link again gives the 410 page. No page may break the CSP or leave the origin.
//
// Environment: OAKGATE_URL, OAKGATE_INVITE_URL, OAKGATE_EMAIL (the invited address),
// OAKGATE_PASSWORD (the one to sign up with), OAKGATE_ARTIFACTS.
// Prints one JSON line {"landed", "again_status", "pages"}; exits non-zero on any failure.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const gateway = process.env.OAKGATE_URL;
const origin = new URL(gateway).origin;
const inviteUrl = process.env.OAKGATE_INVITE_URL;
const email = process.env.OAKGATE_EMAIL;
const password = process.env.OAKGATE_PASSWORD;
const artifacts = process.env.OAKGATE_ARTIFACTS;
const timeout = 20000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const foreign = [];
const violations = [];
const shots = [];

async function shot(page, name) {
  const file = path.join(artifacts, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ timeout }), page.click(selector)]);
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-invitation-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let exitCode = 0;
try {
  fs.mkdirSync(artifacts, { recursive: true });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) foreign.push(req.url());
  });

  // Signed out: the invitation sends the browser to sign-up, for the invited address.
  await page.goto(inviteUrl, { timeout });
  check(new URL(page.url()).pathname === '/web/signup', `expected sign-up, got ${page.url()}`);
  check((await page.textContent('#signup-invitation')).includes('Team'),
    'the sign-up page names the organization');
  check(await page.inputValue('#email') === email, 'the invited address is filled in');
  await shot(page, 'signup');
  await page.fill('#password', password);
  await submit(page, 'button[type=submit]');

  // Sign-up starts no session: the login page, then back to the invitation.
  check(new URL(page.url()).pathname === '/web/login', `expected login, got ${page.url()}`);
  check(await page.isVisible('#login-notice'), 'the login page says the account is ready');
  await shot(page, 'login-after-signup');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submit(page, 'button[type=submit]');
  check(new URL(page.url()).pathname.startsWith('/web/invitations/'),
    `expected the invitation, got ${page.url()}`);
  const role = await page.textContent('#invitation-role');
  check(role === 'admin', `the invitation page shows the role, got ${role}`);
  await shot(page, 'invitation');
  await submit(page, '#accept-invitation');
  const landed = new URL(page.url()).pathname;
  check(landed === '/dashboard', `expected the dashboard, got ${page.url()}`);
  await shot(page, 'dashboard');

  // The link is used up: the one 410 page.
  const again = await page.goto(inviteUrl, { timeout });
  check(again.status() === 410, `a used invitation answers ${again.status()}`);
  await shot(page, 'used');

  check(violations.length === 0, `CSP violations: ${violations.join(' | ')}`);
  check(foreign.length === 0, `requests to other origins: ${foreign.join(' ')}`);
  console.log(JSON.stringify({ landed, again_status: again.status(), pages: shots.length }));
} catch (e) {
  console.error(e.stack || String(e));
  exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
