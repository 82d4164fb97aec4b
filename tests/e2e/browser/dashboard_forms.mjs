// Headless Chromium walks every dashboard form the way a person does who reloads and goes
// Back (issue 29): submit, reload, Back, Forward. After the submit exactly one thing was made
// or changed; reload, Back and Forward change nothing. A new key's secret is in exactly one of
// all the answers the browser received, on the first view of its page, and never again
// (reload, Back/Forward, a restored tab). A fresh /dashboard logs no console error and loads
// nothing that fails (the site icon included).
//
// What the dashboard holds is read between steps from a second tab of the same browser (the
// same session): the agents, tools, rules, keys, sessions, grants, users and the audit trail.
//
// Environment: OAKGATE_URL, OAKGATE_EMAIL, OAKGATE_PASSWORD (an admin), OAKGATE_VICTIM_EMAIL
// (another user, to disable). The admin holds one OAuth grant. Prints one JSON line
// {"agent_id", "key_ids", "steps"}; exits non-zero on any failure.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const gateway = process.env.OAKGATE_URL;
const origin = new URL(gateway).origin;
const email = process.env.OAKGATE_EMAIL;
const password = process.env.OAKGATE_PASSWORD;
const victimEmail = process.env.OAKGATE_VICTIM_EMAIL;
const timeout = 20000;
const shownOnce = "This key's secret was shown once; create a new key if you lost it.";

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const consoleErrors = [];
const failedLoads = [];
const documents = [];  // every HTML answer the browser received: { url, status, body }

function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`${label} ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${label} ${page.url()}: ${e.message}`));
  page.on('requestfailed', (req) => failedLoads.push(`${req.url()}: ${req.failure()?.errorText}`));
}

function record(context) {
  context.on('response', async (res) => {
    const type = res.headers()['content-type'] || '';
    if (!type.startsWith('text/html')) {
      if (res.status() >= 400) failedLoads.push(`${res.url()}: ${res.status()}`);
      return;
    }
    let body = '';
    try { body = await res.text(); } catch { body = ''; }  // redirects have none
    documents.push({ url: res.url(), status: res.status(), body });
  });
}

function launch(dir) {
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function login(page) {
  await page.goto(`${gateway}/dashboard`, { timeout });
  check(new URL(page.url()).pathname === '/web/login', `expected the login page: ${page.url()}`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation({ timeout }), page.click('button[type=submit]')]);
  check(new URL(page.url()).pathname === '/dashboard', `login did not return: ${page.url()}`);
}

// Everything the dashboard shows that a form can make or change, as "thing" -> "state".
// Times are left out (last-seen and last-used move by themselves).
async function snapshot(probe) {
  const things = {};
  const rows = async (p, selector, attr, stateOf) => {
    await probe.goto(`${gateway}${p}`, { timeout });
    check(new URL(probe.url()).pathname === p, `${p} went to ${probe.url()}`);
    for (const [id, state] of await probe.$$eval(selector, (trs, [a, s]) => trs.map((tr) => [
      tr.getAttribute(a), s ? (tr.querySelector(s)?.textContent ?? '') : tr.textContent]),
    [attr, stateOf])) {
      things[`${p} ${id}`] = state;
    }
  };
  // An agent is one thing: its settings, from its own page.
  await rows('/dashboard/agents', 'tr[data-agent-id]', 'data-agent-id', null);
  const agents = Object.keys(things).map((k) => k.split(' ')[1]);
  for (const id of agents) {
    await probe.goto(`${gateway}/dashboard/agents/${id}`, { timeout });
    for (const text of await probe.$$eval('#tools tbody tr, #rules tbody tr',
      (trs) => trs.map((tr) => tr.textContent))) {
      things[`agent ${id} ${text}`] = 'present';
    }
    things[`/dashboard/agents ${id}`] = `${await probe.inputValue('#edit-name')} ` +
      `${await probe.inputValue('#edit-rate')} ${await probe.isChecked('#edit-enabled')}`;
  }
  await rows('/dashboard/keys', 'tr[data-key-id]', 'data-key-id', '.state');
  await rows('/dashboard/credentials', 'tr[data-session-id]', 'data-session-id', 'strong');
  await rows('/dashboard/credentials', 'tr[data-grant-id]', 'data-grant-id', 'code');
  await rows('/dashboard/admin/users', 'tr[data-user-id]', 'data-user-id', '.state');
  await probe.goto(`${gateway}/dashboard/audit`, { timeout });
  const audit = await probe.$$eval('tr[data-event-id]', (trs) => trs.map((tr) =>
    tr.getAttribute('data-event-id')));
  return { things, audit };
}

// The things that differ between two snapshots.
function changes(a, b) {
  const keys = new Set([...Object.keys(a.things), ...Object.keys(b.things)]);
  return [...keys].filter((k) => a.things[k] !== b.things[k])
    .map((k) => `${k}: ${a.things[k] ?? '(none)'} -> ${b.things[k] ?? '(none)'}`);
}

function same(a, b, what) {
  const d = changes(a, b);
  check(d.length === 0, `${what} changed something: ${d.join('; ')}`);
  check(a.audit.length === b.audit.length, `${what} wrote audit events`);
}

const steps = [];

// One form: `submit` fills and sends it from `page`; afterwards exactly one thing differs
// (`made`: 1, or 0 for a refused form) and at most one audit event was written. Then reload,
// Back and Forward, each changing nothing. `onPage` runs after each of the four loads.
async function walk(name, page, probe, submit, { made = 1, onPage = async () => {} } = {}) {
  const before = await snapshot(probe);
  const status = await submit();
  const after = await snapshot(probe);
  const d = changes(before, after);
  check(d.length === made, `${name}: ${d.length} things changed, not ${made}: ${d.join('; ')}`);
  check(after.audit.length - before.audit.length <= made, `${name}: more than one audit event`);
  await onPage('submit', status);
  for (const [how, go] of [['reload', () => page.reload({ timeout })],
                           ['back', () => page.goBack({ timeout })],
                           ['forward', () => page.goForward({ timeout })]]) {
    let answer = null;
    try {
      answer = await go();
    } catch (e) {
      // History holds the refused POST itself (a 422 is not redirected): Chromium will not
      // send it again from Back/Forward without asking (ERR_CACHE_MISS), so nothing is sent.
      if (!(made === 0 && how !== 'reload' && /ERR_CACHE_MISS/.test(e.message))) throw e;
    }
    check(answer !== null || how !== 'reload', `${name}: ${how} went nowhere`);
    same(after, await snapshot(probe), `${name}: ${how}`);
    await onPage(how, answer ? answer.status() : 0);
  }
  steps.push(name);
}

// Submits a form by clicking `selector` and returns the status of the page it lands on.
async function click(page, selector) {
  const [answer] = await Promise.all([page.waitForNavigation({ timeout }), page.click(selector)]);
  return answer ? answer.status() : 0;
}

// A new key: its page shows it once, then only "shown once", however it is reached again.
async function walkKey(name, page, probe, submit, keyIds, secrets) {
  let secret = '';
  let keyPage = '';
  await walk(name, page, probe, submit, {
    onPage: async (how, status) => {
      if (how === 'submit') {
        keyPage = page.url();
        check(/\/dashboard\/keys\/pk_[A-Za-z0-9]{16}\/created$/.test(keyPage), `${name}: ${keyPage}`);
        secret = await page.inputValue('#new-key');
        check(/^pk_[A-Za-z0-9]{16}\.sk_[A-Za-z0-9_-]{43}$/.test(secret), `${name}: ${secret}`);
        keyIds.push(secret.split('.')[0]);
        secrets.push(secret);
        return;
      }
      const html = await page.content();
      check(!html.includes(secret.split('.')[1]), `${name}: ${how} shows the secret again`);
      if (page.url() === keyPage) {
        check(await page.isVisible('#key-shown-once'), `${name}: ${how} has no "shown once"`);
        check((await page.textContent('#key-shown-once')).includes(shownOnce), `${name}: text`);
        check(await page.$('#new-key') === null || (await page.inputValue('#new-key')) === '',
              `${name}: ${how} has a key field with a value`);
      }
    },
  });
  // A tab the browser restores opens the same address again.
  const restored = await page.context().newPage();
  watch(restored, 'restored');
  await restored.goto(keyPage, { timeout });
  check((await restored.textContent('#key-shown-once')).includes(shownOnce), 'restored tab');
  check(!(await restored.content()).includes(secret.split('.')[1]), 'a restored tab shows it');
  await restored.close();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-forms-'));
const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-forms-other-'));
const context = await launch(dir);
let other = null;
let exitCode = 0;
try {
  record(context);
  const page = await context.newPage();
  watch(page, 'main');

  // A fresh browser: the dashboard sends it to the login page, then back; neither page logs
  // an error or fails to load anything, and the site's icon is an image.
  await login(page);
  const icon = await page.evaluate(() => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth);
    img.onerror = () => resolve(-1);
    img.src = '/favicon.ico';
  }));
  check(icon > 0, `/favicon.ico is not an image (${icon})`);
  check(consoleErrors.length === 0, `a fresh /dashboard logged: ${consoleErrors.join(' | ')}`);
  check(failedLoads.length === 0, `a fresh /dashboard failed to load: ${failedLoads.join(' | ')}`);

  const probe = await context.newPage();
  watch(probe, 'probe');
  // A second browser signed in as the same person: a session to end from the first.
  other = await launch(otherDir);
  const otherPage = await other.newPage();
  await login(otherPage);

  // Agents: create, then the agent's page with its forms.
  await page.goto(`${gateway}/dashboard/agents`, { timeout });
  await walk('create agent', page, probe, async () => {
    await page.fill('#agent-name', 'forms-agent');
    return click(page, '#create-agent button[type=submit]');
  });
  const agentPath = new URL(page.url()).pathname;
  check(/^\/dashboard\/agents\/[0-9a-f-]{36}$/.test(agentPath), `not an agent page: ${agentPath}`);
  const agentId = agentPath.split('/').pop();
  await page.goto(`${gateway}${agentPath}`, { timeout });
  await walk('edit agent', page, probe, async () => {
    await page.fill('#edit-name', 'forms-agent-renamed');
    await page.fill('#edit-rate', '120');
    return click(page, '#edit-agent button[type=submit]');
  });
  await page.goto(`${gateway}${agentPath}`, { timeout });
  await walk('add tool', page, probe, async () => {
    await page.fill('#tool-name', 'github');
    await page.fill('#tool-scopes', 'read write');
    return click(page, '#create-tool button[type=submit]');
  });
  await page.goto(`${gateway}${agentPath}`, { timeout });
  await walk('add rule', page, probe, async () => {
    await page.fill('#rule-tool', 'github');
    await page.fill('#rule-scope', 'read');
    return click(page, '#create-rule button[type=submit]');
  });
  // A refused form: 422 with the form and its error; its reload sends it again, and it is
  // refused again: nothing is made either time.
  await page.goto(`${gateway}${agentPath}`, { timeout });
  await walk('refused tool', page, probe, async () => {
    await page.fill('#tool-name', 'bad name');
    return click(page, '#create-tool button[type=submit]');
  }, {
    made: 0,
    onPage: async (how, status) => {
      if (how === 'submit' || how === 'reload') {
        check(status === 422, `refused tool: ${how} answered ${status}`);
        check((await page.textContent('#tool-name-error')).includes('must match'), 'no error');
      }
    },
  });

  // Keys: create and rotate, each shown once.
  const keyIds = [];
  const secrets = [];
  await page.goto(`${gateway}/dashboard/keys?agent_id=${agentId}`, { timeout });
  await walkKey('create key', page, probe, async () => {
    await page.fill('#key-name', 'forms-key');
    return click(page, '#create-key button[type=submit]');
  }, keyIds, secrets);
  await page.goto(`${gateway}/dashboard/keys`, { timeout });
  await walkKey('rotate key', page, probe, async () => {
    await page.fill(`#grace-${keyIds[0]}`, '600');
    return click(page, `tr[data-key-id="${keyIds[0]}"] button.secondary`);
  }, keyIds, secrets);
  await page.goto(`${gateway}/dashboard/keys`, { timeout });
  await walk('revoke key', page, probe,
             () => click(page, `tr[data-key-id="${keyIds[0]}"] button.danger`));

  // The agent's disable button.
  await page.goto(`${gateway}${agentPath}`, { timeout });
  await walk('disable agent', page, probe, () => click(page, '#disable-agent button'));

  // Credentials: the other browser's session, then the OAuth grant.
  await page.goto(`${gateway}/dashboard/credentials`, { timeout });
  const otherSession = await page.$$eval('tr[data-session-id]', (trs) => trs
    .filter((tr) => !tr.textContent.includes('this session'))
    .map((tr) => tr.getAttribute('data-session-id')));
  check(otherSession.length === 1, `sessions other than this one: ${otherSession}`);
  await walk('end other session', page, probe,
             () => click(page, `tr[data-session-id="${otherSession[0]}"] button`));
  await otherPage.goto(`${gateway}/dashboard`, { timeout });
  check(new URL(otherPage.url()).pathname === '/web/login', 'the ended session still works');
  await page.goto(`${gateway}/dashboard/credentials`, { timeout });
  await walk('revoke grant', page, probe, () => click(page, 'tr[data-grant-id] button'));

  // Admin: disable another user.
  await page.goto(`${gateway}/dashboard/admin/users`, { timeout });
  const victim = await page.$$eval('tr[data-user-id]', (trs, e) => trs
    .filter((tr) => tr.textContent.includes(e)).map((tr) => tr.getAttribute('data-user-id')),
  victimEmail);
  check(victim.length === 1, `no row for ${victimEmail}`);
  await walk('disable user', page, probe,
             () => click(page, `tr[data-user-id="${victim[0]}"] button`));

  // Sign out everywhere, last: the login page, and reload, Back and Forward stay signed out.
  await page.goto(`${gateway}/dashboard/credentials`, { timeout });
  await click(page, '#sign-out-everywhere button');
  check(new URL(page.url()).pathname === '/web/login', `after sign-out: ${page.url()}`);
  for (const go of [() => page.reload({ timeout }), () => page.goBack({ timeout }),
                    () => page.goForward({ timeout })]) {
    await go();
    check(new URL(page.url()).pathname === '/web/login', `signed in again at ${page.url()}`);
  }
  steps.push('sign out everywhere');

  // Each secret was in exactly one answer, once, and that answer was its page's first view.
  for (const s of secrets) {
    const secretHalf = s.split('.')[1];
    const holding = documents.filter((d) => d.body.includes(secretHalf));
    check(holding.length === 1, `a secret is in ${holding.length} answers: ` +
          holding.map((d) => `${d.status} ${d.url}`).join(' '));
    check(holding[0].body.split(secretHalf).length === 2, 'a secret is twice in its page');
    check(/\/created$/.test(new URL(holding[0].url).pathname), `in ${holding[0].url}`);
  }
  // Nothing failed to load but the refused POST that Forward declined to send again.
  const refusedLoads = failedLoads.filter((f) => !/\/tools: net::ERR_CACHE_MISS$/.test(f));
  check(refusedLoads.length === 0, `failed loads: ${refusedLoads.join(' | ')}`);
  // The only console errors are Chromium's notes on the refused form's 422 answers.
  const unexpected = consoleErrors.filter((c) => !/status of 422/.test(c));
  check(unexpected.length === 0, `console errors: ${unexpected.join(' | ')}`);
  console.log(JSON.stringify({ agent_id: agentId, key_ids: keyIds, steps: steps.length,
                               console_errors: consoleErrors }));
} catch (e) {
  console.error(e.stack || String(e));
  console.error(`console errors: ${consoleErrors.join(' | ')}`);
  exitCode = 1;
} finally {
  await context.close();
  if (other) await other.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(otherDir, { recursive: true, force: true });
}
process.exit(exitCode);
