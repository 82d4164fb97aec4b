// A webhook receiver for the e2e delivery tests and the benchmark (issue 24). It listens on
// 127.0.0.1:RECEIVER_PORT, verifies every POST /hook/<label> with the Standard Webhooks
// reference library (pinned by package-lock.json) against the secret the test gave for that
// label, and appends one JSON line per request to RECEIVER_LOG (when set):
//   {"label","webhook_id","type","data","webhook_timestamp","arrived_ms","verified","error",
//    "answered"}
// Any other path but /control is recorded too (with "path"): a redirect target must never be
// fetched, and the test looks for such lines.
//
// Control, by POST /control (JSON, merged into the state) or by the file RECEIVER_STATE (read
// at start, rewritten on every change, so a receiver restarted on the same port keeps it):
//   {"secrets": {"<label>": "whsec_..."},
//    "modes": {"<label>" | "*": {"mode": "ok" | "fail" | "stall" | "redirect",
//                                "seconds": N, "location": "http://..."}}}
// "fail" answers 500, "stall" waits `seconds` then answers 200, "redirect" answers 302 to
// `location`. GET /control/stats answers {"received","verified","unverified","answered"}.
// It prints {"listening": PORT} once it listens.
import fs from 'node:fs';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const port = Number(process.env.RECEIVER_PORT || 0);
const logPath = process.env.RECEIVER_LOG || '';
const statePath = process.env.RECEIVER_STATE || '';
const maxBody = 1 << 20;

let state = { secrets: {}, modes: {} };
if (statePath && fs.existsSync(statePath)) {
  state = { ...state, ...JSON.parse(fs.readFileSync(statePath, 'utf8')) };
}
const stats = { received: 0, verified: 0, unverified: 0, answered: {} };

function saveState() {
  if (statePath) fs.writeFileSync(statePath, JSON.stringify(state));
}

function record(line) {
  if (logPath) fs.appendFileSync(logPath, JSON.stringify(line) + '\n');
}

function verify(label, body, headers) {
  const secret = state.secrets[label];
  if (!secret) return { verified: false, error: 'no secret for this label' };
  try {
    new Webhook(secret).verify(body, headers);
    return { verified: true, error: null };
  } catch (e) {
    return { verified: false, error: String(e.message || e) };
  }
}

function answer(res, status, extra = {}) {
  stats.answered[status] = (stats.answered[status] || 0) + 1;
  res.writeHead(status, { 'content-type': 'text/plain', ...extra });
  res.end(status < 300 ? 'ok' : 'no');
}

function hook(req, res, label, body) {
  stats.received += 1;
  const headers = {
    'webhook-id': req.headers['webhook-id'] || '',
    'webhook-timestamp': req.headers['webhook-timestamp'] || '',
    'webhook-signature': req.headers['webhook-signature'] || '',
  };
  const { verified, error } = verify(label, body, headers);
  stats[verified ? 'verified' : 'unverified'] += 1;
  let parsed = null;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = null;
  }
  const mode = state.modes[label] || state.modes['*'] || { mode: 'ok' };
  const status =
    mode.mode === 'fail' ? 500 : mode.mode === 'redirect' ? 302 : 200;
  record({
    label,
    webhook_id: headers['webhook-id'],
    type: parsed && parsed.type,
    data: parsed && parsed.data,
    webhook_timestamp: headers['webhook-timestamp'],
    signatures: headers['webhook-signature'].split(' ').filter(Boolean).length,
    content_type: req.headers['content-type'] || null,
    user_agent: req.headers['user-agent'] || null,
    arrived_ms: Date.now(),
    verified,
    error,
    answered: status,
  });
  if (mode.mode === 'stall') {
    setTimeout(() => answer(res, 200), 1000 * Number(mode.seconds || 0));
  } else if (mode.mode === 'redirect') {
    answer(res, 302, { location: mode.location || 'http://127.0.0.1:1/' });
  } else {
    answer(res, status);
  }
}

function control(req, res, body) {
  if (req.method === 'GET' && req.url === '/control/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/control') {
    res.writeHead(404);
    res.end();
    return;
  }
  let change;
  try {
    change = JSON.parse(body.toString('utf8'));
  } catch {
    res.writeHead(400);
    res.end('not JSON');
    return;
  }
  state.secrets = { ...state.secrets, ...(change.secrets || {}) };
  state.modes = { ...state.modes, ...(change.modes || {}) };
  saveState();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(state));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > maxBody) {
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const path = (req.url || '').split('?')[0];
    if (path === '/control' || path.startsWith('/control/')) {
      control(req, res, body);
    } else if (req.method === 'POST' && path.startsWith('/hook/')) {
      hook(req, res, decodeURIComponent(path.slice('/hook/'.length)), body);
    } else {
      record({ path, method: req.method, arrived_ms: Date.now() });
      answer(res, 200);
    }
  });
});
// Deliveries held by a stalled answer must not be cut by Node's own timeouts.
server.requestTimeout = 0;
server.headersTimeout = 60000;
server.keepAliveTimeout = 5000;

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(port, '127.0.0.1', () => {
  saveState();
  console.log(JSON.stringify({ listening: server.address().port }));
});
