// @oakgate/mcp against the real gateway (tests/e2e/typescript_sdk_test.cpp starts and seeds
// it): the MCP SDK's own Client calls a guarded McpServer over InMemoryTransport; the allowed
// call reaches the tool without `_reasoning`, the denied one is an isError result naming the
// rule, and both decisions are on GET /api/v1/decisions with their reasoning and context.
// Environment: OAKGATE_URL, OAKGATE_MCP_KEY (a key of that agent),
// OAKGATE_MCP_AGENT_ID, OAKGATE_ACCESS_TOKEN (the owner's, scope agents). The agent has the
// tools read_file and write_file (scope execute), a rule for read_file and a rule for
// write_file that requires reasoning ("hard"): a write without reasoning is denied by that rule.
// The approval tests make their own agent, whose write_file rule is `ask`, through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { OakGate } from 'oakgate';
import { guardedServer } from '../harness.mjs';

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const url = env('OAKGATE_URL');

async function api(method, target, body) {
  const res = await fetch(`${url}${target}`, { method, headers: { Authorization: `Bearer ${env('OAKGATE_ACCESS_TOKEN')}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function decisions() {
  const res = await fetch(`${url}/api/v1/decisions?agent_id=${encodeURIComponent(env('OAKGATE_MCP_AGENT_ID'))}&limit=50`, { headers: { Authorization: `Bearer ${env('OAKGATE_ACCESS_TOKEN')}` } });
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

test('an MCP client calls a guarded server: allowed reaches the tool, denied is isError naming the rule, both are logged', async () => {
  const oak = new OakGate({ apiKey: env('OAKGATE_MCP_KEY'), baseUrl: url });
  const h = await guardedServer({ client: oak, defaultScope: 'execute' });
  try {
    const read = await h.client.callTool({ name: 'read_file', arguments: { path: 'notes.txt', _reasoning: 'the user asked what the notes say' } });
    assert.equal(read.isError, undefined, JSON.stringify(read));
    assert.equal(read.content[0].text, 'contents of notes.txt');

    const write = await h.client.callTool({ name: 'write_file', arguments: { path: 'notes.txt', content: 'gone', _reasoning: '  ' } });
    assert.equal(write.isError, true);
    const denial = write._meta['oakgate/decision'];
    assert.equal(denial.allowed, false);
    assert.match(write.content[0].text, /reasoning_required/);
    assert.ok(denial.rule_id && write.content[0].text.includes(denial.rule_id), write.content[0].text);

    // The tool saw its arguments without _reasoning, and write_file never ran.
    assert.deepEqual(h.calls, [{ tool: 'read_file', args: { path: 'notes.txt' } }]);

    const logged = await decisions();

    // _meta carries reasoning as well as the argument does.
    const again = await h.client.callTool({ name: 'read_file', arguments: { path: 'todo.txt' }, _meta: { 'oakgate/reasoning': 'check the todo list' } });
    assert.equal(again.isError, undefined);
    const viaMeta = (await decisions()).find((d) => d.tool === 'read_file' && d.context?.path === 'todo.txt');
    assert.equal(viaMeta.reasoning, 'check the todo list');

    const allowed = logged.find((d) => d.tool === 'read_file' && d.context?.path === 'notes.txt');
    const denied = logged.find((d) => d.tool === 'write_file');
    assert.ok(allowed && denied, JSON.stringify(logged));
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.scope, 'execute');
    assert.equal(allowed.reasoning, 'the user asked what the notes say');
    assert.deepEqual(allowed.context, { path: 'notes.txt' });
    assert.equal(denied.allowed, false);
    assert.equal(denied.id, denial.decision_id);
    assert.equal(denied.reason, 'reasoning_required');
    assert.equal(denied.rule_id, denial.rule_id);
    assert.equal(denied.reasoning_provided, false);
    assert.deepEqual(denied.context, { path: 'notes.txt', content: 'gone' });
  } finally { await h.close(); oak.close(); }
});

// An agent with read_file and write_file (scope execute): read_file allowed, write_file `ask`.
async function askingAgent(name) {
  const agent = await api('POST', '/api/v1/agents', { name });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  const id = agent.body.id;
  for (const tool of ['read_file', 'write_file']) {
    assert.equal((await api('POST', `/api/v1/agents/${id}/tools`, { name: tool, scopes: ['execute'] })).status, 201);
  }
  assert.equal((await api('POST', `/api/v1/agents/${id}/rules`, { tool: 'read_file', scope: 'execute' })).status, 201);
  const ask = await api('POST', `/api/v1/agents/${id}/rules`, { tool: 'write_file', scope: 'execute', effect: 'ask' });
  assert.equal(ask.status, 201, JSON.stringify(ask.body));
  const made = await api('POST', '/api/v1/auth/api-keys', { name: `${name} key`, agent_id: id });
  assert.equal(made.status, 201);
  return new OakGate({ apiKey: made.body.key, baseUrl: url });
}

// callTool('write_file') with progress: resolves `approvalId` from the first progress
// notification, which the guard sends when it starts to wait for the approval.
function waitingWrite(client, args) {
  let polling;
  const approvalId = new Promise((resolve) => { polling = resolve; });
  const result = client.callTool({ name: 'write_file', arguments: args }, undefined, {
    resetTimeoutOnProgress: true,
    onprogress: (p) => { const m = /approval ([0-9a-f-]{36})/.exec(p.message ?? ''); if (m) polling(m[1]); },
  });
  return { approvalId, result };
}

test('an MCP tool call an ask rule holds waits for the owner to approve, then the tool runs once', async () => {
  const oak = await askingAgent('mcp-asking');
  const h = await guardedServer({ client: oak, waitForApproval: { timeoutMs: 60000 } });
  try {
    const { approvalId, result } = waitingWrite(h.client, { path: 'release.txt', content: '1.3' });
    const id = await approvalId;
    assert.deepEqual(h.calls, [], 'write_file ran before anyone approved');
    assert.equal((await api('POST', `/api/v1/approvals/${id}/approve`, {})).status, 200);
    const write = await result;
    assert.equal(write.isError, undefined, JSON.stringify(write));
    assert.equal(write.content[0].text, 'wrote release.txt');
    assert.deepEqual(h.calls, [{ tool: 'write_file', args: { path: 'release.txt', content: '1.3' } }]);
    assert.equal((await oak.getApproval(id)).status, 'used');
  } finally { await h.close(); oak.close(); }
});

test('an MCP tool call the owner denies is an isError result naming approval_denied, and the tool never runs', async () => {
  const oak = await askingAgent('mcp-denied');
  const h = await guardedServer({ client: oak, waitForApproval: { timeoutMs: 60000 } });
  try {
    const { approvalId, result } = waitingWrite(h.client, { path: 'release.txt', content: 'rm -rf' });
    const id = await approvalId;
    assert.equal((await api('POST', `/api/v1/approvals/${id}/deny`, { comment: 'looks wrong' })).status, 200);
    const write = await result;
    assert.equal(write.isError, true);
    assert.match(write.content[0].text, /approval_denied/);
    assert.match(write.content[0].text, /looks wrong/);
    assert.deepEqual(h.calls, []);
  } finally { await h.close(); oak.close(); }
});

test('without waitForApproval the MCP call is answered at once with the approval it needs', async () => {
  const oak = await askingAgent('mcp-no-wait');
  const h = await guardedServer({ client: oak });
  try {
    const write = await h.client.callTool({ name: 'write_file', arguments: { path: 'a.txt', content: 'x' } });
    assert.equal(write.isError, true);
    const pending = write._meta['oakgate/decision'];
    assert.equal(pending.decision, 'pending');
    assert.ok(write.content[0].text.includes(pending.approval_id), write.content[0].text);
    assert.deepEqual(h.calls, []);
  } finally { await h.close(); oak.close(); }
});
