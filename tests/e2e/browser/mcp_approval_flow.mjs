// A person approves an MCP tool call in Chromium (issue 23): a guarded MCP server (the MCP
// SDK's McpServer with @oakgate/mcp, sdk/mcp/test/harness.mjs) whose write_file the agent's
// `ask` rule holds waits for approval (waitForApproval); the MCP SDK's own Client calls
// write_file; while that call waits, headless Chromium signs in on the dashboard, opens the
// approvals inbox, finds the call's approval and approves it; the call then completes and the
// file is written. The inbox's input must have labels, nothing may break the CSP, and the
// inbox is screenshotted into OAKGATE_ARTIFACTS.
//
// Environment: OAKGATE_URL, OAKGATE_MCP_KEY (a key of the agent: write_file, scope execute,
// effect ask), OAKGATE_EMAIL and OAKGATE_PASSWORD (the agent's owner), OAKGATE_WRITE_ROOT (an
// empty directory write_file writes into), OAKGATE_ARTIFACTS.
// Prints one JSON line {"approval_id", "text", "written", "before_approval"}; exits non-zero
// on any failure.
import fs from 'node:fs';
import path from 'node:path';

import { OakGate } from '../../../sdk/typescript/dist/index.js';
import { guardedServer } from '../../../sdk/mcp/test/harness.mjs';
import { browser, check, pageChecker, submit, timeout } from './dashboard_pages.mjs';

const gateway = process.env.OAKGATE_URL;
const root = process.env.OAKGATE_WRITE_ROOT;
const artifacts = process.env.OAKGATE_ARTIFACTS;
const violations = [];
const { checkPage } = pageChecker(artifacts);

let exitCode = 0;
let context;
let dir;
let server;
const oak = new OakGate({ apiKey: process.env.OAKGATE_MCP_KEY, baseUrl: gateway });
try {
  fs.mkdirSync(artifacts, { recursive: true });
  server = await guardedServer({ client: oak, waitForApproval: { timeoutMs: 120000 } }, { root });

  // The MCP client's call: it waits, and hears (progress) which approval it waits for.
  let heard;
  const approvalHeard = new Promise((resolve) => { heard = resolve; });
  const call = server.client.callTool({ name: 'write_file', arguments: { path: 'release-notes.txt', content: 'oakgate 1.3' } },
    undefined, {
      timeout: 120000,
      resetTimeoutOnProgress: true,
      onprogress: (p) => { const m = /approval ([0-9a-f-]{36})/.exec(p.message ?? ''); if (m) heard(m[1]); },
    });
  call.catch(() => undefined);
  const approvalId = await approvalHeard;
  const beforeApproval = fs.existsSync(path.join(root, 'release-notes.txt'));
  check(!beforeApproval && server.calls.length === 0, 'write_file ran before anyone approved');

  // A person, in Chromium: signs in, opens the inbox, approves this call.
  let page;
  ({ context, page, dir } = await browser(violations, 'oakgate-approvals-'));
  await page.goto(`${gateway}/dashboard/approvals`, { timeout });
  check(new URL(page.url()).pathname === '/web/login', `expected the login page: ${page.url()}`);
  await page.fill('#email', process.env.OAKGATE_EMAIL);
  await page.fill('#password', process.env.OAKGATE_PASSWORD);
  await submit(page, 'button[type=submit]');
  check(new URL(page.url()).pathname === '/dashboard/approvals', `login did not return to the inbox: ${page.url()}`);
  const form = page.locator(`form[action$="/dashboard/approvals/${approvalId}/approve"]`);
  check(await form.count() === 1, `the inbox does not offer to approve ${approvalId}`);
  check((await page.textContent('body')).includes('write_file'), 'the inbox does not name the tool');
  await checkPage(page, 'approvals-inbox');
  const comment = form.locator('[name=comment]');
  if (await comment.count() === 1) await comment.fill('release notes are fine');
  await Promise.all([page.waitForNavigation({ timeout }), form.locator('button[type=submit], input[type=submit]').first().click()]);
  check(new URL(page.url()).pathname.startsWith('/dashboard/approvals'), `after approving: ${page.url()}`);
  await checkPage(page, 'approvals-after');
  check(violations.length === 0, `CSP violations or script errors: ${violations.join(' | ')}`);

  // The call completes: the tool ran once and the file is written.
  const result = await call;
  check(result.isError === undefined, `the call failed: ${JSON.stringify(result)}`);
  check(server.calls.length === 1, `write_file ran ${server.calls.length} times`);
  const written = fs.readFileSync(path.join(root, 'release-notes.txt'), 'utf8');
  console.log(JSON.stringify({ approval_id: approvalId, text: result.content[0].text, written, before_approval: beforeApproval }));
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await context?.close().catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await server?.close().catch(() => undefined);
  await oak.close();
}
process.exit(exitCode);
