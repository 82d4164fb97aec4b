// Headless Chromium walks the authorization-code flow the way a user does: authorize ->
// /web/login -> (loopback confirmation) -> the client's callback. A plain HTTP client cannot
// see a CSP form-action block on the redirect chain after a form POST (PITFALLS 1); a real
// browser can.
//
// Environment: OAKGATE_URL, OAKGATE_CLIENTS (space-separated client ids, each registered with
// redirect URI http://127.0.0.1/callback), OAKGATE_EMAIL, OAKGATE_PASSWORD, OAKGATE_CHALLENGE.
// Prints one JSON line per client: {"client_id", "code", "state", "iss"}. Exits non-zero on
// any failure.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const gateway = process.env.OAKGATE_URL;
const clients = (process.env.OAKGATE_CLIENTS || '').split(' ').filter(Boolean);
const email = process.env.OAKGATE_EMAIL;
const password = process.env.OAKGATE_PASSWORD;
const challenge = process.env.OAKGATE_CHALLENGE;
const state = '"><foo>bar_baz(2)far</foo>';
const timeout = 20000;

function startCallbackServer() {
  let resolveHit;
  const hit = new Promise((resolve) => { resolveHit = resolve; });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('callback received');
    if (url.pathname === '/callback') resolveHit(url.searchParams);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, hit }));
  });
}

async function authorize(clientId) {
  const { server, port, hit } = await startCallbackServer();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const violations = [];
  try {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
    });
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const query = new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'keys',
      state, code_challenge: challenge, code_challenge_method: 'S256',
    });
    await page.goto(`${gateway}/oauth/authorize?${query}`, { timeout });
    if (!new URL(page.url()).pathname.startsWith('/web/login')) {
      throw new Error(`expected the login page, got ${page.url()}`);
    }
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([
      page.waitForNavigation({ timeout }).catch(() => {}),
      page.click('button[type=submit]'),
    ]);
    // A public client on a loopback redirect gets a confirmation page (RFC 8252 §8.6).
    if (await page.locator('#approve').count() > 0) await page.click('#approve');
    const params = await Promise.race([
      hit,
      new Promise((_, reject) => setTimeout(
        () => reject(new Error(`never reached the callback; stuck at ${page.url()}; ` +
                               `CSP: ${violations.join(' | ')}`)), timeout)),
    ]);
    const result = { client_id: clientId, code: params.get('code'), state: params.get('state'),
                     iss: params.get('iss') };
    if (!result.code) throw new Error(`no code: ${params}`);
    if (result.state !== state) throw new Error(`state changed: ${result.state}`);
    console.log(JSON.stringify(result));
  } finally {
    await context.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

try {
  if (!gateway || clients.length === 0) throw new Error('OAKGATE_URL and OAKGATE_CLIENTS are required');
  for (const c of clients) await authorize(c);
  process.exit(0);
} catch (e) {
  console.error(e.stack || String(e));
  process.exit(1);
}
