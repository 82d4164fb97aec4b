// Human approval (an `ask` rule, CONTRACT §10) against a fake gateway: guard() without a wait
// throws OakGateApprovalPendingError, with waitForApproval it long-polls GET /v1/approvals/{id}
// and validates again with the approval once approved, and every way the wait can end.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  OakGate, OakGateApprovalPendingError, OakGateDeniedError, OakGateError, ApprovalWait,
} from '../../dist/index.js';
import { fakeGateway, json, held } from './fake-server.mjs';

const KEY = 'pk_AbCdEfGh12345678.sk_' + 'a'.repeat(43);
const APPROVAL = '0b8e5c9a-3f1d-4c2e-9a7b-5d6e7f8a9b0c';
const pending = { allowed: false, decision: 'pending', approval_id: APPROVAL, decision_id: 'dec_p', rule_id: 'rule_ask', expires_at: '2030-01-01T00:00:00Z' };
const allowedWithApproval = { allowed: true, decision_id: 'dec_ok', rule_id: 'rule_ask', agent_id: 'agt', tool: 'deploy', scope: 'prod', approval_id: APPROVAL };
const approval = (status, extra = {}) => ({ id: APPROVAL, status, decided_by: status === 'pending' ? null : 'usr_1', decided_at: null, comment: null, expires_at: '2030-01-01T00:00:00Z', ...extra });


function client(url, extra = {}) {
  return new OakGate({ apiKey: KEY, baseUrl: url, ...extra });
}

test('guard without waitForApproval throws OakGateApprovalPendingError with the approval id and does not run the action', async () => {
  const gw = await fakeGateway([json(202, pending)]);
  try {
    let ran = false;
    await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => { ran = true; }), (e) => {
      assert.ok(e instanceof OakGateApprovalPendingError);
      // Code that stops on a denial stops on a pending approval too.
      assert.ok(e instanceof OakGateDeniedError && e instanceof OakGateError);
      assert.equal(e.reason, 'approval_pending');
      assert.equal(e.approvalId, APPROVAL);
      assert.equal(e.expiresAt, '2030-01-01T00:00:00Z');
      assert.equal(e.ruleId, 'rule_ask');
      assert.equal(e.decisionId, 'dec_p');
      assert.match(e.message, new RegExp(APPROVAL));
      return true;
    });
    assert.equal(ran, false);
    assert.equal(gw.requests.length, 1, 'guard waited although it was not told to');
  } finally { await gw.close(); }
});

test('guard with waitForApproval long-polls until approved, validates again with the approval, and runs the action once', async () => {
  const gw = await fakeGateway([json(202, pending), held(approval('pending')), held(approval('approved')), json(200, allowedWithApproval)]);
  try {
    let runs = 0;
    const waits = [];
    const request = { tool: 'deploy', scope: 'prod', reasoning: 'ship the fix', context: { sha: 'abc' } };
    const result = await client(gw.url).guard(request, (d) => { runs++; return d.decision_id; },
      { waitForApproval: { timeoutMs: 2500, onWait: (p) => waits.push(p.approval_id) } });
    assert.equal(result, 'dec_ok');
    assert.equal(runs, 1);
    assert.deepEqual(waits, [APPROVAL, APPROVAL], 'onWait is called before each round');
    assert.deepEqual(gw.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`),
      ['POST /v1/validate', `GET /v1/approvals/${APPROVAL}`, `GET /v1/approvals/${APPROVAL}`, 'POST /v1/validate']);
    // The polls fit in the 2.5 s budget (the first is held 2 s) and carry the key.
    for (const poll of gw.requests.slice(1, 3)) {
      const wait = Number(new URL(poll.url, 'http://x').searchParams.get('wait') ?? 0);
      assert.ok(Number.isInteger(wait) && wait >= 0 && wait <= 2, poll.url);
      assert.equal(poll.headers['x-api-key'], KEY);
    }
    // The second validate is the same call, carrying the approval.
    assert.deepEqual(gw.requests[3].body, { ...request, approval_id: APPROVAL });
  } finally { await gw.close(); }
});

test('a human denial ends the wait with OakGateDeniedError approval_denied carrying the comment, without another validate', async () => {
  const gw = await fakeGateway([json(202, pending), held(approval('denied', { comment: 'not on a Friday' }))]);
  try {
    let ran = false;
    await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => { ran = true; }, { waitForApproval: { timeoutMs: 5000 } }), (e) => {
      assert.ok(e instanceof OakGateDeniedError);
      assert.ok(!(e instanceof OakGateApprovalPendingError));
      assert.equal(e.reason, 'approval_denied');
      assert.equal(e.approvalId, APPROVAL);
      assert.equal(e.approval.comment, 'not on a Friday');
      assert.equal(e.approval.decided_by, 'usr_1');
      return true;
    });
    assert.equal(ran, false);
    assert.equal(gw.requests.length, 2);
  } finally { await gw.close(); }
});

test('an approval that expires or is used elsewhere while the call waits ends it with that reason', async () => {
  for (const status of ['expired', 'used']) {
    const gw = await fakeGateway([json(202, pending), held(approval(status))]);
    try {
      await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => 1, { waitForApproval: { timeoutMs: 5000 } }), (e) => {
        assert.ok(e instanceof OakGateDeniedError && !(e instanceof OakGateApprovalPendingError), String(e));
        assert.equal(e.reason, `approval_${status}`);
        return true;
      });
    } finally { await gw.close(); }
  }
});

test('an approval the gateway refuses on the second validate (used by another call) is a denial, and the action does not run', async () => {
  const used = { allowed: false, reason: 'approval_used', approval_id: APPROVAL, decision_id: 'dec_u', agent_id: 'agt', tool: 'deploy', scope: 'prod' };
  const gw = await fakeGateway([json(202, pending), held(approval('approved')), json(200, used)]);
  try {
    let ran = false;
    await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => { ran = true; }, { waitForApproval: { timeoutMs: 5000 } }), (e) => {
      assert.ok(e instanceof OakGateDeniedError);
      assert.equal(e.reason, 'approval_used');
      assert.equal(e.approvalId, APPROVAL);
      assert.equal(e.decisionId, 'dec_u');
      return true;
    });
    assert.equal(ran, false);
  } finally { await gw.close(); }
});

test('a wait that runs out throws OakGateApprovalPendingError within the budget and without busy polling', async () => {
  const gw = await fakeGateway([json(202, pending), held(approval('pending'))]);
  try {
    const started = Date.now();
    await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => 1, { waitForApproval: { timeoutMs: 1500 } }), (e) => {
      assert.ok(e instanceof OakGateApprovalPendingError);
      assert.equal(e.approvalId, APPROVAL);
      assert.equal(e.approval.status, 'pending');
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took >= 1000 && took < 3000, `took ${took} ms`);
    // One held round of 1 s, then one last look: not a request every few milliseconds.
    assert.ok(gw.requests.length <= 4, `${gw.requests.length} requests`);
  } finally { await gw.close(); }
});

test('an allowed call with waitForApproval never asks for an approval', async () => {
  const gw = await fakeGateway([json(200, { ...allowedWithApproval, approval_id: undefined })]);
  try {
    assert.equal(await client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => 'ran', { waitForApproval: { timeoutMs: 1000 } }), 'ran');
    assert.equal(gw.requests.length, 1);
  } finally { await gw.close(); }
});

test('a bad waitForApproval timeout is refused before anything is sent', async () => {
  const gw = await fakeGateway([json(202, pending)]);
  try {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000']) {
      await assert.rejects(client(gw.url).guard({ tool: 'deploy', scope: 'prod' }, () => 1, { waitForApproval: { timeoutMs } }), (e) => {
        assert.ok(e instanceof OakGateError && !(e instanceof OakGateDeniedError), String(e));
        assert.match(e.message, /timeoutMs/);
        return true;
      });
    }
    assert.equal(gw.requests.length, 0);
  } finally { await gw.close(); }
});

test('getApproval sends the key, escapes the id into one path segment, and returns the approval', async () => {
  const gw = await fakeGateway([json(200, approval('approved', { comment: 'ok' }))]);
  try {
    const a = await client(gw.url).getApproval('a/../b?c', { waitSeconds: 0 });
    assert.equal(a.status, 'approved');
    assert.equal(a.comment, 'ok');
    assert.equal(gw.requests[0].method, 'GET');
    assert.equal(gw.requests[0].url, '/v1/approvals/a%2F..%2Fb%3Fc');
    assert.equal(gw.requests[0].headers['x-api-key'], KEY);
  } finally { await gw.close(); }
});

test('getApproval refuses a wait outside 0..30 whole seconds without a request', async () => {
  const gw = await fakeGateway([json(200, approval('pending'))]);
  try {
    for (const waitSeconds of [31, -1, 1.5]) {
      await assert.rejects(client(gw.url).getApproval(APPROVAL, { waitSeconds }), /waitSeconds/);
    }
    await assert.rejects(client(gw.url).getApproval(''), /approvalId/);
    assert.equal(gw.requests.length, 0);
  } finally { await gw.close(); }
});

test('a long-poll may take its hold on top of the client timeout', async () => {
  // timeoutMs 500 and a hold of 1 s: the call's budget is the two together.
  const gw = await fakeGateway([held(approval('pending'))]);
  try {
    const a = await client(gw.url, { timeoutMs: 500 }).getApproval(APPROVAL, { waitSeconds: 1 });
    assert.equal(a.status, 'pending');
    assert.equal(gw.requests[0].url, `/v1/approvals/${APPROVAL}?wait=1`);
  } finally { await gw.close(); }
});

test('getApproval of an unknown approval throws OakGateApiError 404', async () => {
  const gw = await fakeGateway([json(404, { error: 'not_found' })]);
  try {
    await assert.rejects(client(gw.url).getApproval(APPROVAL), (e) => e.status === 404 && e.error === 'not_found');
  } finally { await gw.close(); }
});

test('the wait is split into rounds of at most 30 s that end at the deadline', () => {
  let now = 1_000_000;
  const wait = new ApprovalWait(75_500, () => now);
  const rounds = [];
  for (let s = wait.nextRound(); s !== undefined; s = wait.nextRound()) {
    rounds.push(s);
    now += s * 1000;
  }
  // 30 + 30 + 15 held, then one last look in the last half second.
  assert.deepEqual(rounds, [30, 30, 15, 0]);
  assert.equal(new ApprovalWait(0, () => now).nextRound(), undefined);
});
