// withOakGate against a fake oakgate: what is sent to /v1/validate for each tools/call,
// what the tool receives, and what the MCP client gets back when the call is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { OakGate } from 'oakgate';
import { fakeGateway, json, hangUp, held } from '../../../typescript/test/unit/fake-server.mjs';
import { guardedServer } from '../harness.mjs';

const KEY = 'pk_AbCdEfGh12345678.sk_' + 'a'.repeat(43);
const allow = json(200, { allowed: true, decision_id: 'dec_1', rule_id: 'rule_1', agent_id: 'agt', tool: 't', scope: 's' });
const deny = json(200, { allowed: false, reason: 'denied_by_rule', rule_id: 'rule_9', decision_id: 'dec_9', agent_id: 'agt', tool: 't', scope: 's' });

for (const register of ['before', 'after']) {
  test(`an allowed call (tools registered ${register} withOakGate) reaches the tool without _reasoning, with context and reasoning sent`, async () => {
    const gw = await fakeGateway([allow]);
    const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }) }, { register });
    try {
      const r = await h.client.callTool({ name: 'write_file', arguments: { path: '/tmp/a', content: 'x', _reasoning: 'save the draft' } });
      assert.equal(r.isError, undefined, JSON.stringify(r));
      assert.equal(r.content[0].text, 'wrote /tmp/a');
      assert.deepEqual(h.calls, [{ tool: 'write_file', args: { path: '/tmp/a', content: 'x' } }]);
      assert.deepEqual(gw.requests[0].body, { tool: 'write_file', scope: 'execute', reasoning: 'save the draft', context: { path: '/tmp/a', content: 'x' } });
    } finally { await h.close(); await gw.close(); }
  });
}

test('a denied call is a tool result with isError naming reason and rule, and the tool does not run', async () => {
  const gw = await fakeGateway([deny]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }) });
  try {
    const r = await h.client.callTool({ name: 'read_file', arguments: { path: '/etc/shadow' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /denied_by_rule/);
    assert.match(r.content[0].text, /rule_9/);
    assert.equal(r._meta['oakgate/decision'].decision_id, 'dec_9');
    assert.deepEqual(h.calls, []);
  } finally { await h.close(); await gw.close(); }
});

test('toolMapping and defaultScope choose the oakgate tool and scope, and _meta carries reasoning', async () => {
  const gw = await fakeGateway([allow]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }), toolMapping: { read_file: { tool: 'fs', scope: 'read' } }, defaultScope: 'use' });
  try {
    await h.client.callTool({ name: 'read_file', arguments: { path: '/a' }, _meta: { 'oakgate/reasoning': 'from meta' } });
    await h.client.callTool({ name: 'write_file', arguments: { path: '/b', content: '' } });
    assert.deepEqual(gw.requests.map((r) => [r.body.tool, r.body.scope, r.body.reasoning]), [['fs', 'read', 'from meta'], ['write_file', 'use', undefined]]);
  } finally { await h.close(); await gw.close(); }
});

test('when oakgate cannot be reached the call fails closed as an isError result', async () => {
  const gw = await fakeGateway([hangUp()]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url, retries: 0 }) });
  try {
    const r = await h.client.callTool({ name: 'read_file', arguments: { path: '/a' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /could not authorize/);
    assert.deepEqual(h.calls, []);
  } finally { await h.close(); await gw.close(); }
});

test('a rate-limited call says when to retry', async () => {
  const gw = await fakeGateway([json(429, { allowed: false, reason: 'rate_limited' }, { 'Retry-After': '12' })]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }) });
  try {
    const r = await h.client.callTool({ name: 'read_file', arguments: { path: '/a' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /retry after 12 s/);
  } finally { await h.close(); await gw.close(); }
});

test('tools/list is what the server registered, with no oakgate argument added', async () => {
  const gw = await fakeGateway([allow]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }) });
  try {
    const { tools } = await h.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['read_file', 'write_file']);
    assert.deepEqual(Object.keys(tools[0].inputSchema.properties), ['path']);
    assert.equal(gw.requests.length, 0, 'listing tools asked oakgate');
  } finally { await h.close(); await gw.close(); }
});

const APPROVAL = '0b8e5c9a-3f1d-4c2e-9a7b-5d6e7f8a9b0c';
const pending = json(202, { allowed: false, decision: 'pending', approval_id: APPROVAL, decision_id: 'dec_p', rule_id: 'rule_ask', expires_at: '2030-01-01T00:00:00Z' });
const approval = (status, extra = {}) => ({ id: APPROVAL, status, decided_by: 'usr_1', decided_at: '2029-12-31T00:00:00Z', comment: null, expires_at: '2030-01-01T00:00:00Z', ...extra });

test('a call an ask rule holds is answered at once naming the approval when the server does not wait, and the tool does not run', async () => {
  const gw = await fakeGateway([pending]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }) });
  try {
    const r = await h.client.callTool({ name: 'write_file', arguments: { path: '/a', content: 'x' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /needs a human's approval/);
    assert.ok(r.content[0].text.includes(APPROVAL), r.content[0].text);
    assert.equal(r._meta['oakgate/decision'].approval_id, APPROVAL);
    assert.deepEqual(h.calls, []);
    assert.equal(gw.requests.length, 1);
  } finally { await h.close(); await gw.close(); }
});

test('with waitForApproval the call waits for the approval, validates again with it, and the tool runs once', async () => {
  const allowedWithApproval = json(200, { allowed: true, decision_id: 'dec_ok', rule_id: 'rule_ask', agent_id: 'agt', tool: 'write_file', scope: 'execute', approval_id: APPROVAL });
  const gw = await fakeGateway([pending, held(approval('pending')), held(approval('approved')), allowedWithApproval]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }), waitForApproval: { timeoutMs: 1500 } });
  try {
    const progress = [];
    const r = await h.client.callTool({ name: 'write_file', arguments: { path: '/a', content: 'x' } }, undefined,
      { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true });
    assert.equal(r.isError, undefined, JSON.stringify(r));
    assert.equal(r.content[0].text, 'wrote /a');
    assert.deepEqual(h.calls, [{ tool: 'write_file', args: { path: '/a', content: 'x' } }]);
    assert.deepEqual(gw.requests[3].body, { tool: 'write_file', scope: 'execute', context: { path: '/a', content: 'x' }, approval_id: APPROVAL });
    // The client that asked for progress heard what its call waits for, each round.
    assert.equal(progress.length, 2);
    assert.ok(progress[0].message.includes(APPROVAL), progress[0].message);
  } finally { await h.close(); await gw.close(); }
});

test('with waitForApproval a human denial is an isError result with the reason and comment, and the tool does not run', async () => {
  const gw = await fakeGateway([pending, held(approval('denied', { comment: 'wrong file' }))]);
  const h = await guardedServer({ client: new OakGate({ apiKey: KEY, baseUrl: gw.url }), waitForApproval: { timeoutMs: 5000 } });
  try {
    const r = await h.client.callTool({ name: 'write_file', arguments: { path: '/a', content: 'x' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /approval_denied/);
    assert.match(r.content[0].text, /wrong file/);
    assert.deepEqual(h.calls, []);
  } finally { await h.close(); await gw.close(); }
});
