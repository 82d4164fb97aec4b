// OakGate against a fake gateway: the answer of every status, what is retried and what is
// not, the overall timeout, and that the key never leaks into an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import util from 'node:util';

import {
  OakGate, OakGateDeniedError, OakGateRateLimitedError, OakGateAuthError, OakGateApiError,
  OakGateUnavailableError, OakGateConnectionError, OakGateTimeoutError, OakGateError,
  configure, guard, validate,
} from '../../dist/index.js';
import { fakeGateway, json, hangUp, silence } from './fake-server.mjs';

const SECRET = 'sk_' + 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tX'.slice(0, 43);
const KEY = `pk_AbCdEfGh12345678.${SECRET}`;
const fast = { baseMs: 10, capMs: 50 };

const allowed = { allowed: true, decision_id: 'dec_1', rule_id: 'rule_1', agent_id: 'agt_1', tool: 'github', scope: 'read', reasoning_level: 'none', reasoning_required: false, reasoning_provided: false };
const denied = { allowed: false, reason: 'no_rule', decision_id: 'dec_2', agent_id: 'agt_1', tool: 'github', scope: 'write' };

function client(url, extra = {}) {
  return new OakGate({ apiKey: KEY, baseUrl: url, backoff: fast, ...extra });
}

// Everything a thrown object shows: message, stack, own fields, cause chain, JSON.
function everything(e) {
  return [String(e), e.stack ?? '', util.inspect(e, { depth: 20, showHidden: true }), JSON.stringify(e, Object.getOwnPropertyNames(e)), JSON.stringify(e)].join('\n');
}

function assertNoKey(e) {
  const text = everything(e);
  assert.ok(!text.includes(SECRET), `the secret leaked into ${e.name}: ${text}`);
  assert.ok(!text.includes(KEY), `the key leaked into ${e.name}`);
}

async function freePortWithNothing() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

test('validate sends the key and body and returns an allowed decision', async () => {
  const gw = await fakeGateway([json(200, allowed, { 'RateLimit-Limit': '60' })]);
  try {
    const d = await client(gw.url).validate({ tool: 'github', scope: 'read', reasoning: 'why', context: { repo: 'a/b' }, approvalId: 'apr_1' });
    assert.deepEqual(d, allowed);
    assert.equal(gw.requests.length, 1);
    const r = gw.requests[0];
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/v1/validate');
    assert.equal(r.headers['x-api-key'], KEY);
    assert.deepEqual(r.body, { tool: 'github', scope: 'read', reasoning: 'why', context: { repo: 'a/b' }, approval_id: 'apr_1' });
  } finally { await gw.close(); }
});

test('validate returns a denial as a typed answer, not an exception, and never retries it', async () => {
  const gw = await fakeGateway([json(200, denied)]);
  try {
    const d = await client(gw.url).validate({ tool: 'github', scope: 'write' });
    assert.equal(d.allowed, false);
    assert.equal(d.reason, 'no_rule');
    assert.equal(gw.requests.length, 1);
  } finally { await gw.close(); }
});

test('guard runs the action when allowed and hands it the decision', async () => {
  const gw = await fakeGateway([json(200, allowed)]);
  try {
    const result = await client(gw.url).guard({ tool: 'github', scope: 'read' }, (decision) => `ran under ${decision.rule_id}`);
    assert.equal(result, 'ran under rule_1');
  } finally { await gw.close(); }
});

test('guard throws OakGateDeniedError with reason, rule and decision and does not run the action', async () => {
  const gw = await fakeGateway([json(200, { ...denied, reason: 'denied_by_rule', rule_id: 'rule_9' })]);
  try {
    let ran = false;
    await assert.rejects(client(gw.url).guard({ tool: 'github', scope: 'write' }, () => { ran = true; }), (e) => {
      assert.ok(e instanceof OakGateDeniedError && e instanceof OakGateError);
      assert.equal(e.reason, 'denied_by_rule');
      assert.equal(e.ruleId, 'rule_9');
      assert.equal(e.decisionId, 'dec_2');
      assert.match(e.message, /denied_by_rule.*rule_9/);
      assertNoKey(e);
      return true;
    });
    assert.equal(ran, false);
  } finally { await gw.close(); }
});

test('guard treats a pending approval (202) as a denial carrying the approval id', async () => {
  const gw = await fakeGateway([json(202, { allowed: false, decision: 'pending', approval_id: 'apr_7', decision_id: 'dec_7', rule_id: 'rule_7', expires_at: '2026-01-01T00:00:00Z' })]);
  try {
    await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => 1), (e) => {
      assert.ok(e instanceof OakGateDeniedError);
      assert.equal(e.reason, 'approval_pending');
      assert.equal(e.approvalId, 'apr_7');
      assert.equal(e.ruleId, 'rule_7');
      return true;
    });
  } finally { await gw.close(); }
});

test('a 429 throws OakGateRateLimitedError with Retry-After seconds and is not retried', async () => {
  const gw = await fakeGateway([json(429, { allowed: false, reason: 'rate_limited' }, { 'Retry-After': '7', 'RateLimit-Limit': '5', 'RateLimit-Remaining': '0' })]);
  try {
    for (const call of [(c) => c.validate({ tool: 't', scope: 's' }), (c) => c.guard({ tool: 't', scope: 's' }, () => 1)]) {
      gw.requests.length = 0;
      await assert.rejects(call(client(gw.url)), (e) => {
        assert.ok(e instanceof OakGateRateLimitedError);
        assert.equal(e.retryAfter, 7);
        assert.equal(e.limit, 5);
        assert.equal(e.remaining, 0);
        assertNoKey(e);
        return true;
      });
      assert.equal(gw.requests.length, 1);
    }
  } finally { await gw.close(); }
});

test('a 401 throws OakGateAuthError with the gateway error code and is not retried', async () => {
  const gw = await fakeGateway([json(401, { error: 'api_key_revoked' })]);
  try {
    await assert.rejects(client(gw.url).guard({ tool: 't', scope: 's' }, () => 1), (e) => {
      assert.ok(e instanceof OakGateAuthError);
      assert.equal(e.error, 'api_key_revoked');
      assert.equal(e.status, 401);
      assertNoKey(e);
      return true;
    });
    assert.equal(gw.requests.length, 1);
  } finally { await gw.close(); }
});

test('other 4xx and 5xx answers throw OakGateApiError after one attempt', async () => {
  for (const [status, body] of [[400, { error: 'invalid_request' }], [403, { error: 'forbidden' }], [500, {}], [502, {}]]) {
    const gw = await fakeGateway([json(status, body, { 'Retry-After': '1' })]);
    try {
      await assert.rejects(client(gw.url).validate({ tool: 't', scope: 's' }), (e) => {
        assert.ok(e instanceof OakGateApiError, `${status} gave ${e}`);
        assert.equal(e.status, status);
        assertNoKey(e);
        return true;
      });
      assert.equal(gw.requests.length, 1, `status ${status} was retried`);
    } finally { await gw.close(); }
  }
});

test('a 503 with Retry-After is retried and the later answer is returned', async () => {
  const gw = await fakeGateway([json(503, { error: 'temporarily_unavailable' }, { 'Retry-After': '0' }), json(200, allowed)]);
  try {
    const d = await client(gw.url).validate({ tool: 'github', scope: 'read' });
    assert.equal(d.allowed, true);
    assert.equal(gw.requests.length, 2);
  } finally { await gw.close(); }
});

test('a 503 without Retry-After is not retried', async () => {
  const gw = await fakeGateway([json(503, { error: 'temporarily_unavailable' }), json(200, allowed)]);
  try {
    await assert.rejects(client(gw.url).validate({ tool: 't', scope: 's' }), OakGateApiError);
    assert.equal(gw.requests.length, 1);
  } finally { await gw.close(); }
});

test('a gateway that stays unavailable is tried 1 + retries times, then OakGateUnavailableError', async () => {
  const gw = await fakeGateway([json(503, { error: 'temporarily_unavailable' }, { 'Retry-After': '0' })]);
  try {
    await assert.rejects(client(gw.url, { retries: 3 }).validate({ tool: 't', scope: 's' }), (e) => {
      assert.ok(e instanceof OakGateUnavailableError);
      assert.equal(e.error, 'temporarily_unavailable');
      assert.equal(e.retryAfter, 0);
      assertNoKey(e);
      return true;
    });
    assert.equal(gw.requests.length, 4);
  } finally { await gw.close(); }
});

test('a dropped connection is retried and the later answer is returned', async () => {
  const gw = await fakeGateway([hangUp(), hangUp(), json(200, allowed)]);
  try {
    const d = await client(gw.url).validate({ tool: 'github', scope: 'read' });
    assert.equal(d.allowed, true);
    assert.equal(gw.requests.length, 3);
  } finally { await gw.close(); }
});

test('with retries 0 nothing is retried', async () => {
  const gw = await fakeGateway([hangUp(), json(200, allowed)]);
  try {
    await assert.rejects(client(gw.url, { retries: 0 }).validate({ tool: 't', scope: 's' }), OakGateConnectionError);
    assert.equal(gw.requests.length, 1);
  } finally { await gw.close(); }
});

test('a refused connection throws OakGateConnectionError with its code after the retries', async () => {
  const port = await freePortWithNothing();
  await assert.rejects(client(`http://127.0.0.1:${port}`).validate({ tool: 't', scope: 's' }), (e) => {
    assert.ok(e instanceof OakGateConnectionError);
    assert.equal(e.code, 'ECONNREFUSED');
    assertNoKey(e);
    return true;
  });
});

test('a gateway that never answers throws OakGateTimeoutError once timeoutMs is spent', async () => {
  const gw = await fakeGateway([silence()]);
  try {
    const started = Date.now();
    await assert.rejects(client(gw.url, { timeoutMs: 300 }).validate({ tool: 't', scope: 's' }), (e) => {
      assert.ok(e instanceof OakGateTimeoutError);
      assert.equal(e.timeoutMs, 300);
      assertNoKey(e);
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 3000, `took ${took} ms`);
    assert.equal(gw.requests.length, 1, 'a timed-out attempt used the whole budget: no retry');
  } finally { await gw.close(); }
});

test('retries stop when the Retry-After wait would end past the timeout', async () => {
  const gw = await fakeGateway([json(503, { error: 'temporarily_unavailable' }, { 'Retry-After': '30' }), json(200, allowed)]);
  try {
    const started = Date.now();
    await assert.rejects(client(gw.url, { timeoutMs: 1000 }).validate({ tool: 't', scope: 's' }), OakGateUnavailableError);
    assert.ok(Date.now() - started < 900, 'the client waited although the wait could not end in time');
    assert.equal(gw.requests.length, 1);
  } finally { await gw.close(); }
});

test('the key is in neither the client object shown by console.log nor its JSON', async () => {
  const c = new OakGate({ apiKey: KEY, baseUrl: 'http://127.0.0.1:1' });
  for (const text of [util.inspect(c, { showHidden: true, depth: 20 }), JSON.stringify(c), String(c), Object.keys(c).join()]) {
    assert.ok(!text.includes(SECRET), text);
  }
  assert.equal(c.keyId, 'pk_AbCdEfGh12345678');
});

test('a malformed key is refused without being echoed', () => {
  const bad = 'pk_short.sk_thisIsMySecretValue';
  assert.throws(() => new OakGate({ apiKey: bad }), (e) => {
    assert.ok(e instanceof OakGateError);
    assert.ok(!everything(e).includes('thisIsMySecretValue'));
    return true;
  });
  assert.throws(() => new OakGate({ apiKey: '' }), OakGateError);
});

test('healthcheck reports the gateway up, and down when nothing listens', async () => {
  const gw = await fakeGateway([(req, res) => { res.writeHead(req.url === '/healthz' ? 200 : 404); res.end('ok'); }]);
  try {
    assert.deepEqual(await client(gw.url).healthcheck(), { ok: true, status: 200 });
    assert.equal(gw.requests[0].url, '/healthz');
  } finally { await gw.close(); }
  const port = await freePortWithNothing();
  assert.deepEqual(await client(`http://127.0.0.1:${port}`, { retries: 0 }).healthcheck(), { ok: false, status: 0 });
});

test('the module-level configure() and guard() use one shared client', async () => {
  const gw = await fakeGateway([json(200, allowed), json(200, denied)]);
  try {
    configure({ apiKey: KEY, baseUrl: gw.url });
    assert.equal(await guard({ tool: 'github', scope: 'read' }, () => 'done'), 'done');
    assert.equal((await validate({ tool: 'github', scope: 'write' })).reason, 'no_rule');
    assert.equal(gw.requests.length, 2);
  } finally { configure({ apiKey: KEY, baseUrl: 'http://127.0.0.1:1' }).close(); await gw.close(); }
});

test('32 concurrent validations share kept-alive connections', async () => {
  const gw = await fakeGateway([json(200, allowed)]);
  const ports = new Set();
  try {
    const c = client(gw.url, { maxSockets: 8 });
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 32 }, () => c.validate({ tool: 'github', scope: 'read' })));
    }
    c.close();
    assert.equal(gw.requests.length, 96);
    for (const r of gw.requests) ports.add(r.remotePort);
    assert.ok(ports.size <= 8, `${ports.size} connections for a pool of 8`);
  } finally { await gw.close(); }
});

test('a connection dropped before the answer fails with code ECONNRESET, as node:http reported it', async () => {
  const gw = await fakeGateway([hangUp()]);
  try {
    await assert.rejects(client(gw.url, { retries: 0 }).validate({ tool: 't', scope: 's' }), (e) => {
      assert.ok(e instanceof OakGateConnectionError);
      assert.equal(e.code, 'ECONNRESET');
      assertNoKey(e);
      return true;
    });
  } finally { await gw.close(); }
});

test('a call waiting for a free connection still fails within timeoutMs', async () => {
  // One connection, held by a request the gateway never answers: the second call waits for it
  // most of its budget (it gets one only when the first call gives up), and must not wait
  // longer than its own budget.
  const gw = await fakeGateway([silence()]);
  try {
    const c = client(gw.url, { maxSockets: 1, timeoutMs: 1500 });
    const first = assert.rejects(c.validate({ tool: 't', scope: 's' }), OakGateTimeoutError);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await assert.rejects(c.validate({ tool: 't', scope: 's' }), OakGateTimeoutError);
    const took = Date.now() - started;
    assert.ok(took >= 1400 && took < 2500, `took ${took} ms`);
    await first;
    await c.close();
  } finally { await gw.close(); }
});

test('an answer larger than 1 MiB is refused, not buffered', async () => {
  const gw = await fakeGateway([(req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(`{"allowed":true,"pad":"${'x'.repeat(2 << 20)}"}`); }]);
  try {
    await assert.rejects(client(gw.url, { retries: 0 }).validate({ tool: 't', scope: 's' }), (e) => {
      assert.ok(e instanceof OakGateConnectionError);
      assert.match(e.message, /too large/);
      return true;
    });
  } finally { await gw.close(); }
});

test('a closed client answers later calls on new connections', async () => {
  const gw = await fakeGateway([json(200, allowed)]);
  try {
    const c = client(gw.url);
    assert.equal((await c.validate({ tool: 'github', scope: 'read' })).allowed, true);
    await c.close();
    assert.equal((await c.validate({ tool: 'github', scope: 'read' })).allowed, true);
    assert.equal(gw.requests.length, 2);
    assert.notEqual(gw.requests[0].remotePort, gw.requests[1].remotePort);
    await c.close();
  } finally { await gw.close(); }
});

test('an open client does not keep the process from exiting', async () => {
  const gw = await fakeGateway([json(200, allowed)]);
  try {
    const script = `import { OakGate } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const d = await new OakGate({ apiKey: process.env.K, baseUrl: process.env.U }).validate({ tool: 'github', scope: 'read' });
      console.log(d.allowed);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, K: KEY, U: gw.url }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    const timer = setTimeout(() => child.kill(), 10000);
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    assert.equal(code, 0, 'the process was still running 10 s after its last call');
    assert.equal(out.trim(), 'true');
  } finally { await gw.close(); }
});

test('calls in flight when the client is closed still get their answers', async () => {
  const gw = await fakeGateway([(req, res) => setTimeout(() => json(200, allowed)(req, res), 100)]);
  try {
    const c = client(gw.url);
    const calls = Array.from({ length: 4 }, () => c.validate({ tool: 'github', scope: 'read' }));
    await new Promise((r) => setTimeout(r, 30));
    const closed = c.close();
    for (const d of await Promise.all(calls)) assert.equal(d.allowed, true);
    await closed;
    assert.equal(gw.requests.length, 4, 'a call was sent again');
  } finally { await gw.close(); }
});
