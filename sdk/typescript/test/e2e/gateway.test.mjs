// The oakgate package against the real gateway and PostgreSQL, started and seeded by
// tests/e2e/typescript_sdk_test.cpp. Environment:
//   OAKGATE_URL            the gateway (also the issuer)
//   OAKGATE_API_KEY        a key of agent OAKGATE_AGENT_ID: rule github:read, no rule for github:write
//   OAKGATE_LIMITED_KEY    a key of an agent whose bucket holds one request
//   OAKGATE_ACCESS_TOKEN   the owner's token with scopes "keys agents" (reads decisions back)
//   OAKGATE_CLIENT_ID      a public client with redirect http://127.0.0.1/callback and scopes "keys agents"
//   OAKGATE_EMAIL, OAKGATE_PASSWORD  the owner's login
// The approval tests make their own agent with an `ask` rule through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';

import {
  OakGate, OakGateDeniedError, OakGateApprovalPendingError, OakGateAuthError, OakGateRateLimitedError, OakGateLoginError,
  FileTokenStore, login, refresh, createApiKey, configure, guard,
} from '../../dist/index.js';
import { userAgent } from './browser.mjs';

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const url = env('OAKGATE_URL');
const key = env('OAKGATE_API_KEY');
const agentId = env('OAKGATE_AGENT_ID');
const token = env('OAKGATE_ACCESS_TOKEN');
const clientId = env('OAKGATE_CLIENT_ID');
const email = env('OAKGATE_EMAIL');
const password = env('OAKGATE_PASSWORD');

async function api(method, target, body, bearer = token) {
  const res = await fetch(`${url}${target}`, { method, headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function decision(id) {
  const r = await api('GET', `/api/v1/decisions?agent_id=${encodeURIComponent(agentId)}&limit=100`);
  assert.equal(r.status, 200);
  return r.body.data.find((d) => d.id === id);
}

function tempStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-sdk-'));
  return { dir, store: new FileTokenStore(path.join(dir, 'oakgate', 'credentials.json')) };
}

test('an allowed call runs the action and its decision is logged with reasoning and context', async () => {
  const oak = new OakGate({ apiKey: key, baseUrl: url });
  let seen;
  const result = await oak.guard({ tool: 'github', scope: 'read', reasoning: 'list the open issues', context: { repo: 'oak/gate' } }, (d) => { seen = d; return 'listed'; });
  assert.equal(result, 'listed');
  assert.equal(seen.allowed, true);
  assert.equal(seen.tool, 'github');
  const logged = await decision(seen.decision_id);
  assert.ok(logged, 'decision not on GET /api/v1/decisions');
  assert.equal(logged.allowed, true);
  assert.equal(logged.reasoning, 'list the open issues');
  assert.deepEqual(logged.context, { repo: 'oak/gate' });
  assert.equal(logged.rule_id, seen.rule_id);
  oak.close();
});

test('a denied call throws OakGateDeniedError naming the reason and the logged decision', async () => {
  const oak = new OakGate({ apiKey: key, baseUrl: url });
  const answer = await oak.validate({ tool: 'github', scope: 'write' });
  assert.equal(answer.allowed, false);
  assert.equal(answer.reason, 'no_rule');
  let ran = false;
  await assert.rejects(oak.guard({ tool: 'github', scope: 'write', reasoning: 'push a fix' }, () => { ran = true; }), (e) => {
    assert.ok(e instanceof OakGateDeniedError);
    assert.equal(e.reason, 'no_rule');
    assert.match(e.decisionId, /./);
    return true;
  });
  assert.equal(ran, false);
  oak.close();
});

test('the denial recorded by guard() is on the decision log', async () => {
  const oak = new OakGate({ apiKey: key, baseUrl: url });
  const e = await oak.guard({ tool: 'github', scope: 'write', reasoning: 'push a fix', context: { branch: 'main' } }, () => 1).catch((x) => x);
  assert.ok(e instanceof OakGateDeniedError);
  const logged = await decision(e.decisionId);
  assert.equal(logged.allowed, false);
  assert.equal(logged.reason, 'no_rule');
  assert.equal(logged.reasoning, 'push a fix');
  assert.deepEqual(logged.context, { branch: 'main' });
  oak.close();
});

test('an unknown key and a revoked key give OakGateAuthError with the gateway error, without the key', async () => {
  const wrong = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const e = await new OakGate({ apiKey: wrong, baseUrl: url }).validate({ tool: 'github', scope: 'read' }).catch((x) => x);
  assert.ok(e instanceof OakGateAuthError, String(e));
  assert.equal(e.error, 'invalid_api_key');
  const made = await api('POST', '/api/v1/auth/api-keys', { name: 'to revoke', agent_id: agentId });
  assert.equal(made.status, 201);
  assert.equal((await api('DELETE', `/api/v1/auth/api-keys/${made.body.key_id}`)).status, 204);
  const revoked = await new OakGate({ apiKey: made.body.key, baseUrl: url }).guard({ tool: 'github', scope: 'read' }, () => 1).catch((x) => x);
  assert.ok(revoked instanceof OakGateAuthError, String(revoked));
  assert.equal(revoked.error, 'api_key_revoked');
  for (const err of [e, revoked]) {
    const text = util.inspect(err, { depth: 20, showHidden: true }) + err.stack + JSON.stringify(err);
    assert.ok(!text.includes(wrong.split('.')[1]) && !text.includes(made.body.key.split('.')[1]), 'a key secret leaked into the error');
  }
});

test('an agent over its rate limit gets OakGateRateLimitedError with Retry-After, not a retry', async () => {
  const oak = new OakGate({ apiKey: env('OAKGATE_LIMITED_KEY'), baseUrl: url });
  // The bucket holds one request: this takes it (or finds it already taken).
  await oak.validate({ tool: 'github', scope: 'read' }).catch((e) => assert.ok(e instanceof OakGateRateLimitedError, String(e)));
  const started = Date.now();
  const e = await oak.guard({ tool: 'github', scope: 'read' }, () => 1).catch((x) => x);
  assert.ok(e instanceof OakGateRateLimitedError, String(e));
  assert.ok(e.retryAfter >= 1, `retryAfter ${e.retryAfter}`);
  assert.ok(Date.now() - started < e.retryAfter * 1000, 'the client waited out the rate limit itself');
  oak.close();
});

test('healthcheck and the module-level configure() and guard() work against the gateway', async () => {
  const oak = configure({ apiKey: key, baseUrl: url });
  assert.deepEqual(await oak.healthcheck(), { ok: true, status: 200 });
  assert.equal(await guard({ tool: 'github', scope: 'read' }, () => 'ok'), 'ok');
  oak.close();
});

test('login() walks the browser flow, checks state and iss, and stores the tokens with mode 0600', async () => {
  const { dir, store } = tempStore();
  let landed;
  let walk;
  const browse = userAgent({ email, password, onCallback: (u, status) => { landed = { u, status }; } });
  const creds = await login({ issuer: url, clientId, scopes: ['keys', 'agents'], port: 0, store,
    openBrowser: (u) => { walk = browse(u); return walk; } });
  await walk; // the browser gets the callback page after login() has the tokens
  assert.equal(new URL(landed.u).pathname, '/callback');
  assert.equal(landed.status, 200);
  assert.match(creds.access_token, /^oat_/);
  assert.match(creds.refresh_token, /^ort_/);
  assert.equal(creds.token_type.toLowerCase(), 'bearer');
  assert.equal(creds.client_id, clientId);
  assert.equal(creds.scope, 'keys agents');
  assert.ok(creds.expires_at > Date.now() / 1000);
  const file = store.path;
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const field of ['access_token', 'refresh_token', 'token_type', 'expires_at', 'scope', 'client_id', 'api_key']) assert.ok(field in saved, field);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['credentials.json'], 'a temporary file was left behind');
  fs.rmSync(dir, { recursive: true });
});

test('login() rejects a callback whose state is not the one it sent, and one with a foreign iss', async () => {
  for (const tamper of [(u) => { u.searchParams.set('state', 'not-the-state'); }, (u) => { u.searchParams.set('iss', 'http://evil.example'); }]) {
    const { dir, store } = tempStore();
    const e = await login({ issuer: url, clientId, scopes: 'keys', port: 0, store, timeoutMs: 20000,
      openBrowser: async (authorizationUrl) => {
        const a = new URL(authorizationUrl);
        const cb = new URL(a.searchParams.get('redirect_uri'));
        cb.searchParams.set('code', 'x'.repeat(43));
        cb.searchParams.set('state', a.searchParams.get('state'));
        cb.searchParams.set('iss', url);
        tamper(cb);
        await fetch(cb).then((r) => r.text());
      } }).catch((x) => x);
    assert.ok(e instanceof OakGateLoginError, String(e));
    assert.equal(await store.load(), null, 'a rejected login stored something');
    fs.rmSync(dir, { recursive: true });
  }
});

test('login() reports a denied consent as access_denied', async () => {
  const { dir, store } = tempStore();
  const e = await login({ issuer: url, clientId, scopes: 'keys', port: 0, store, openBrowser: userAgent({ email, password, decision: 'deny' }) }).catch((x) => x);
  assert.ok(e instanceof OakGateLoginError, String(e));
  assert.equal(e.error, 'access_denied');
  fs.rmSync(dir, { recursive: true });
});

test('refresh() keeps the rotated refresh token even when the process dies right after', async () => {
  const { dir, store } = tempStore();
  const first = await login({ issuer: url, clientId, scopes: ['keys', 'agents'], port: 0, store, openBrowser: userAgent({ email, password }) });
  // A child process refreshes and is SIGKILLed the moment refresh() resolves.
  const script = `import { refresh, FileTokenStore } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
await refresh({ store: new FileTokenStore(${JSON.stringify(store.path)}) });
process.kill(process.pid, 'SIGKILL');`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const afterCrash = await store.load();
  assert.notEqual(afterCrash.refresh_token, first.refresh_token, 'the rotated refresh token was not stored');
  assert.notEqual(afterCrash.access_token, first.access_token);
  // The stored token is the live one: it refreshes again (a retired one would fail and revoke the family).
  const again = await refresh({ store });
  assert.notEqual(again.refresh_token, afterCrash.refresh_token);
  assert.equal(fs.statSync(store.path).mode & 0o777, 0o600);
  const me = await api('GET', '/api/v1/auth/api-keys', undefined, again.access_token);
  assert.equal(me.status, 200);
  fs.rmSync(dir, { recursive: true });
});

test('createApiKey() mints a key with the login token, stores it, and the key validates', async () => {
  const { dir, store } = tempStore();
  await login({ issuer: url, clientId, scopes: ['keys', 'agents'], port: 0, store, openBrowser: userAgent({ email, password }) });
  const made = await createApiKey({ agentId, name: 'from the cli', store });
  assert.match(made.key, /^pk_[A-Za-z0-9]{16}\.sk_[A-Za-z0-9_-]{43}$/);
  assert.equal(made.agent_id, agentId);
  assert.equal(made.name, 'from the cli');
  assert.equal((await store.load()).api_key, made.key);
  const answer = await new OakGate({ apiKey: made.key, baseUrl: url }).validate({ tool: 'github', scope: 'read' });
  assert.equal(answer.allowed, true);
  fs.rmSync(dir, { recursive: true });
});

// An agent with the tool deploy:prod and one rule for it, effect `ask`: a person must approve.
async function askingAgent(name) {
  const agent = await api('POST', '/api/v1/agents', { name });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  const id = agent.body.id;
  assert.equal((await api('POST', `/api/v1/agents/${id}/tools`, { name: 'deploy', scopes: ['prod'] })).status, 201);
  const rule = await api('POST', `/api/v1/agents/${id}/rules`, { tool: 'deploy', scope: 'prod', effect: 'ask' });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  assert.equal(rule.body.effect, 'ask');
  const key = await api('POST', '/api/v1/auth/api-keys', { name: `${name} key`, agent_id: id });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  return { id, ruleId: rule.body.id, oak: new OakGate({ apiKey: key.body.key, baseUrl: url }) };
}

// guard() with waitForApproval, and the approval id it waits on once it is polling for it.
function waitingGuard(oak, request, action, timeoutMs = 60000) {
  let polling;
  const approvalId = new Promise((resolve) => { polling = resolve; });
  const result = oak.guard(request, action, { waitForApproval: { timeoutMs, onWait: (p) => polling(p.approval_id) } });
  result.catch(() => undefined);
  return { approvalId, result };
}

test('an ask rule: guard() without waiting throws OakGateApprovalPendingError with the id, and the same call asks for the same approval', async () => {
  const { oak, ruleId } = await askingAgent('asks-once');
  let ran = false;
  const request = { tool: 'deploy', scope: 'prod', reasoning: 'ship 1.2', context: { sha: 'aaa' } };
  const e = await oak.guard(request, () => { ran = true; }).catch((x) => x);
  assert.ok(e instanceof OakGateApprovalPendingError, String(e));
  assert.ok(e instanceof OakGateDeniedError);
  assert.equal(ran, false);
  assert.equal(e.reason, 'approval_pending');
  assert.match(e.approvalId, /^[0-9a-f-]{36}$/);
  assert.equal(e.ruleId, ruleId);
  assert.ok(Date.parse(e.expiresAt) > Date.now(), e.expiresAt);
  const again = await oak.validate(request);
  assert.equal(again.decision, 'pending');
  assert.equal(again.approval_id, e.approvalId, 'the same call made a second approval');
  const approval = await oak.getApproval(e.approvalId);
  assert.equal(approval.status, 'pending');
  assert.equal(approval.decided_by, null);
  // Not this agent's approval: 404 to another agent's key.
  const other = await new OakGate({ apiKey: key, baseUrl: url }).getApproval(e.approvalId).catch((x) => x);
  assert.equal(other.status, 404, String(other));
  oak.close();
});

test('guard() with waitForApproval waits while the owner approves, runs the action once, and the approval cannot be used again', async () => {
  const { oak } = await askingAgent('asks-and-waits');
  const request = { tool: 'deploy', scope: 'prod', reasoning: 'ship 1.3', context: { sha: 'bbb' } };
  let runs = 0;
  const { approvalId, result } = waitingGuard(oak, request, (d) => { runs++; return d; });
  const id = await approvalId;
  assert.equal(runs, 0, 'the action ran before anyone approved');
  const approved = await api('POST', `/api/v1/approvals/${id}/approve`, { comment: 'go ahead' });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.status, 'approved');
  const decision = await result;
  assert.equal(runs, 1);
  assert.equal(decision.allowed, true);
  assert.equal(decision.approval_id, id);
  assert.equal((await oak.getApproval(id)).status, 'used');
  // A second use of the same approval is refused, by validate() and guard() alike.
  const reuse = await oak.validate({ ...request, approvalId: id });
  assert.equal(reuse.allowed, false);
  assert.equal(reuse.reason, 'approval_used');
  const e = await oak.guard({ ...request, approvalId: id }, () => { runs++; }).catch((x) => x);
  assert.ok(e instanceof OakGateDeniedError && !(e instanceof OakGateApprovalPendingError), String(e));
  assert.equal(e.reason, 'approval_used');
  assert.equal(runs, 1);
  // Nor can it be decided again.
  assert.equal((await api('POST', `/api/v1/approvals/${id}/deny`, {})).status, 409);
  oak.close();
});

test('guard() with waitForApproval ends with OakGateDeniedError approval_denied when the owner denies', async () => {
  const { oak } = await askingAgent('asks-and-is-denied');
  let ran = false;
  const { approvalId, result } = waitingGuard(oak, { tool: 'deploy', scope: 'prod', context: { sha: 'ccc' } }, () => { ran = true; });
  const id = await approvalId;
  assert.equal((await api('POST', `/api/v1/approvals/${id}/deny`, { comment: 'not on a Friday' })).status, 200);
  const e = await result.catch((x) => x);
  assert.ok(e instanceof OakGateDeniedError && !(e instanceof OakGateApprovalPendingError), String(e));
  assert.equal(e.reason, 'approval_denied');
  assert.equal(e.approvalId, id);
  assert.equal(e.approval.comment, 'not on a Friday');
  assert.equal(ran, false);
  oak.close();
});

test('guard() whose wait runs out throws OakGateApprovalPendingError, and the approval is still pending', async () => {
  const { oak } = await askingAgent('asks-and-gives-up');
  const started = Date.now();
  const e = await oak.guard({ tool: 'deploy', scope: 'prod', context: { sha: 'ddd' } }, () => 1, { waitForApproval: { timeoutMs: 1500 } }).catch((x) => x);
  assert.ok(e instanceof OakGateApprovalPendingError, String(e));
  assert.ok(Date.now() - started < 10000, 'the wait outlasted its timeout');
  assert.equal((await oak.getApproval(e.approvalId)).status, 'pending');
  oak.close();
});
