// Headless Chromium walks the dashboard the way its owner does (issue 9, "What shows it is
// done"): log in, create an agent, a tool, a rule and a key (the key read off the page once),
// call /v1/validate with it, see the decision in the table and the chart, revoke the key,
// sign out everywhere. Every page is screenshotted into OAKGATE_ARTIFACTS, every page's inputs
// must have labels, and no page may make a request to another origin or break the CSP.
//
// Environment: OAKGATE_URL, OAKGATE_EMAIL, OAKGATE_PASSWORD (an admin), OAKGATE_ARTIFACTS.
// Prints one JSON line {"agent_id", "key_id", "decision_id", "pages"}; exits non-zero on any
// failure.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { check, pageChecker, submit, timeout } from './dashboard_pages.mjs';

const gateway = process.env.OAKGATE_URL;
const origin = new URL(gateway).origin;
const email = process.env.OAKGATE_EMAIL;
const password = process.env.OAKGATE_PASSWORD;
const artifacts = process.env.OAKGATE_ARTIFACTS;

async function validate(key, body) {
  const r = await fetch(`${gateway}/v1/validate`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const foreign = [];
const violations = [];

const { shots, checkPage } = pageChecker(artifacts);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-dashboard-'));
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
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('about:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('pageerror', (e) => violations.push(`script error: ${e.message}`));

  // Log in: the dashboard sends the visitor to the login page and back.
  await page.goto(`${gateway}/dashboard`, { timeout });
  check(new URL(page.url()).pathname === '/web/login', `expected the login page, got ${page.url()}`);
  await checkPage(page, 'login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submit(page, 'button[type=submit]');
  check(new URL(page.url()).pathname === '/dashboard', `login did not return: ${page.url()}`);
  await checkPage(page, 'summary-empty');

  // An agent, created with the keyboard only (type, Enter).
  await page.goto(`${gateway}/dashboard/agents`, { timeout });
  await checkPage(page, 'agents');
  await page.focus('#agent-name');
  await page.keyboard.type('browser-agent');
  await Promise.all([page.waitForNavigation({ timeout }), page.keyboard.press('Enter')]);
  const agentPath = new URL(page.url()).pathname;
  check(/^\/dashboard\/agents\/[0-9a-f-]{36}$/.test(agentPath), `not an agent page: ${agentPath}`);
  const agentId = agentPath.split('/').pop();
  check((await page.textContent('#agent-title')) === 'browser-agent', 'agent title');

  // A tool and a rule.
  await page.fill('#tool-name', 'github');
  await page.fill('#tool-scopes', 'read write');
  await submit(page, '#create-tool button[type=submit]');
  check((await page.textContent('#tools')).includes('github'), 'tool not listed');
  await page.fill('#rule-tool', 'github');
  await page.fill('#rule-scope', 'read');
  await page.selectOption('#rule-reasoning', 'soft');
  await submit(page, '#create-rule button[type=submit]');
  check((await page.textContent('#rules')).includes('soft'), 'rule not listed');
  // A field error is shown next to its field, by the server.
  await page.fill('#tool-name', 'bad name');
  await submit(page, '#create-tool button[type=submit]');
  check((await page.textContent('#tool-name-error')).includes('must match'), 'no field error');
  await checkPage(page, 'agent');

  // A key, read off the page once.
  await submit(page, '#new-key-link');
  check((await page.inputValue('#key-agent')) === agentId, 'the agent is not preselected');
  await page.fill('#key-name', 'browser-key');
  await submit(page, '#create-key button[type=submit]');
  const key = await page.inputValue('#new-key');
  check(/^pk_[A-Za-z0-9]{16}\.sk_[A-Za-z0-9_-]{43}$/.test(key), `not a key: ${key}`);
  check((await page.textContent('#key-warning')).includes('pk_'), 'no warning about the pk_ half');
  // The same-origin script shows the copy button and copies the whole key.
  check(await page.isVisible('#copy-key'), 'the copy button is hidden: did the script run?');
  await page.click('#copy-key');
  await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
  const copied = await page.evaluate(() => Promise.race([
    navigator.clipboard.readText().catch(() => ''),
    new Promise((resolve) => setTimeout(() => resolve(''), 2000))]));
  check(copied === '' || copied === key, 'the clipboard holds something other than the key');
  await checkPage(page, 'key-created');
  const keyId = key.split('.')[0];

  // The test calls /v1/validate with it ...
  const allowed = await validate(key, { tool: 'github', scope: 'read', reasoning: 'browser test' });
  check(allowed.status === 200 && allowed.body.allowed === true, `validate: ${JSON.stringify(allowed)}`);
  const decisionId = allowed.body.decision_id;
  // ... and the decision appears in the table,
  await page.goto(`${gateway}/dashboard/decisions`, { timeout });
  const row = page.locator(`tr[data-decision-id="${decisionId}"]`);
  check(await row.count() === 1, 'the decision is not in the table');
  check((await row.textContent()).includes('browser test'), 'no reasoning text in the row');
  await checkPage(page, 'decisions');
  await page.goto(`${gateway}/dashboard/decisions?agent_id=${agentId}&outcome=denied`, { timeout });
  check(await row.count() === 0, 'the outcome filter does not filter');
  await page.goto(`${gateway}/dashboard/decisions`, { timeout });
  await submit(page, `tr[data-decision-id="${decisionId}"] a`);
  check((await page.textContent('#decision-outcome')).includes('allowed'), 'detail page');
  await checkPage(page, 'decision');
  // ... and in the chart.
  await page.goto(`${gateway}/dashboard`, { timeout });
  check(await page.getAttribute('#hourly-chart', 'data-total') === '1', 'chart total');
  const bars = await page.$$eval('#hourly-chart g.bar', (gs) => gs.map((g) => g.dataset.allowed));
  check(bars.length === 24 && bars[23] === '1', `the last hour's bar: ${bars}`);
  check((await page.textContent('#today-allowed')) === '1', 'today allowed');
  await checkPage(page, 'summary');
  await page.setViewportSize({ width: 375, height: 800 });
  await checkPage(page, 'summary-narrow');
  await page.goto(`${gateway}/dashboard/keys`, { timeout });
  await checkPage(page, 'keys-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Revoke the key.
  await page.goto(`${gateway}/dashboard/keys`, { timeout });
  await submit(page, `tr[data-key-id="${keyId}"] button.danger`);
  check((await page.textContent(`tr[data-key-id="${keyId}"] .state`)) === 'revoked', 'not revoked');
  const refused = await validate(key, { tool: 'github', scope: 'read' });
  check(refused.status === 401 && refused.body.error === 'api_key_revoked',
        `a revoked key still works: ${JSON.stringify(refused)}`);
  await checkPage(page, 'keys');

  // The other pages, for the record.
  for (const [name, p] of [['audit', '/dashboard/audit'], ['users', '/dashboard/admin/users'],
                           ['clients', '/dashboard/admin/clients'],
                           ['credentials', '/dashboard/credentials']]) {
    await page.goto(`${gateway}${p}`, { timeout });
    check(page.url() === `${gateway}${p}`, `${p} redirected to ${page.url()}`);
    await checkPage(page, name);
  }
  check((await page.textContent('#sessions')).includes('this session'), 'current session');

  // Sign out everywhere: back at the login page, and the dashboard wants a login again.
  await submit(page, '#sign-out-everywhere button');
  check(new URL(page.url()).pathname === '/web/login', `after sign-out: ${page.url()}`);
  await page.goto(`${gateway}/dashboard/keys`, { timeout });
  check(new URL(page.url()).pathname === '/web/login', 'still signed in after sign out everywhere');
  check(new URL(page.url()).searchParams.get('return_to') === '/dashboard/keys', 'no return_to');
  await checkPage(page, 'signed-out');

  check(foreign.length === 0, `requests to other origins: ${foreign.join(' ')}`);
  check(violations.length === 0, `CSP violations or script errors: ${violations.join(' | ')}`);
  console.log(JSON.stringify({ agent_id: agentId, key_id: keyId, decision_id: decisionId,
                               pages: shots.length }));
} catch (e) {
  console.error(e.stack || String(e));
  exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
