// @oakgate/mcp against the real gateway (tests/e2e/typescript_sdk_test.cpp starts and seeds
// it): the MCP SDK's own Client calls a guarded McpServer over InMemoryTransport; the allowed
// call reaches the tool without `_reasoning`, the denied one is an isError result naming the
// rule, and both decisions are on GET /api/v1/decisions with their reasoning and context.
// Environment: OAKGATE_URL, OAKGATE_MCP_KEY (a key of that agent),
// OAKGATE_MCP_AGENT_ID, OAKGATE_ACCESS_TOKEN (the owner's, scope agents). The agent has the
// tools read_file and write_file (scope execute), a rule for read_file and a rule for
// write_file that requires reasoning ("hard"): a write without reasoning is denied by that rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { OakGate } from 'oakgate';
import { guardedServer } from '../harness.mjs';

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const url = env('OAKGATE_URL');

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
