// Runs the examples/ programs as a user would: compiled and installed in the scratch project
// that scripts/sdk-typescript made outside the repository (OAKGATE_SDK_SCRATCH), against the
// gateway that tests/e2e/typescript_sdk_test.cpp started and seeded.
// Environment: OAKGATE_SDK_SCRATCH, OAKGATE_URL, OAKGATE_API_KEY (an agent with tools github
// and filesystem, scopes read and write, rules for github:read and filesystem:read),
// OAKGATE_AGENT_ID, OAKGATE_CLIENT_ID, OAKGATE_EMAIL, OAKGATE_PASSWORD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { userAgent } from '../../../sdk/typescript/test/e2e/browser.mjs';

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const scratch = env('OAKGATE_SDK_SCRATCH');
assert.ok(!path.resolve(scratch).startsWith(path.resolve(new URL('../../..', import.meta.url).pathname)), 'the scratch project must be outside the repository');

// Runs `node dist/<script>` in the scratch project; onStderr sees stderr as it comes.
function run(script, args, extraEnv = {}, onStderr = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(scratch, 'dist', script), ...args], {
      cwd: scratch, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; onStderr(err); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      resolve({ code, out, err, lines });
    });
  });
}

test('typescript-basic: validate and guard allow github:read and deny github:write', async () => {
  const r = await run('typescript-basic/index.js', [], { OAKGATE_URL: env('OAKGATE_URL'), OAKGATE_API_KEY: env('OAKGATE_API_KEY') });
  assert.equal(r.code, 0, r.err);
  const [validated, read, write] = r.lines;
  assert.equal(validated.allowed, true);
  assert.deepEqual(read.result, ['#12 crash on start', '#15 typo in README']);
  assert.equal(write.denied, true);
  assert.equal(write.reason, 'no_rule');
  assert.match(write.decision_id, /./);
});

test('mcp-filesystem: an MCP client over stdio reads a file and is refused the write', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-fs-example-'));
  fs.writeFileSync(path.join(root, 'notes.txt'), 'buy oak saplings');
  try {
    const r = await run('mcp-filesystem/client.js', [], { OAKGATE_URL: env('OAKGATE_URL'), OAKGATE_API_KEY: env('OAKGATE_API_KEY'), FS_ROOT: root });
    assert.equal(r.code, 0, r.err);
    const [list, read, write] = r.lines;
    assert.deepEqual(list.tools, ['read_file', 'write_file']);
    assert.deepEqual([read.isError, read.text], [false, 'buy oak saplings']);
    assert.equal(write.isError, true);
    assert.match(write.text, /oakgate denied filesystem:write: no_rule/);
    assert.equal(fs.readFileSync(path.join(root, 'notes.txt'), 'utf8'), 'buy oak saplings', 'the denied write happened');
  } finally { fs.rmSync(root, { recursive: true }); }
});

test('cli-login: logs in through the printed URL and mints a key that validates', async () => {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'oakgate-cli-example-'));
  let walking;
  const browse = userAgent({ email: env('OAKGATE_EMAIL'), password: env('OAKGATE_PASSWORD') });
  try {
    const r = await run('cli-login/index.js',
      ['--issuer', env('OAKGATE_URL'), '--client-id', env('OAKGATE_CLIENT_ID'), '--agent-id', env('OAKGATE_AGENT_ID'), '--name', 'example cli', '--port', '0', '--no-browser'],
      { XDG_CONFIG_HOME: config },
      (stderr) => {
        // The user opens the URL the CLI printed.
        const m = stderr.match(/^\s+(http\S+\/oauth\/authorize\S+)$/m);
        if (m && !walking) walking = browse(m[1]);
      });
    assert.equal(r.code, 0, r.err);
    await walking;
    const [minted] = r.lines;
    assert.match(minted.key, /^pk_[A-Za-z0-9]{16}\.sk_/);
    assert.equal(minted.agent_id, env('OAKGATE_AGENT_ID'));
    const file = path.join(config, 'oakgate', 'credentials.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).api_key, minted.key);
    const res = await fetch(`${env('OAKGATE_URL')}/v1/validate`, { method: 'POST', headers: { 'X-API-Key': minted.key, 'Content-Type': 'application/json' }, body: JSON.stringify({ tool: 'github', scope: 'read' }) });
    assert.equal((await res.json()).allowed, true);
  } finally { fs.rmSync(config, { recursive: true }); }
});
