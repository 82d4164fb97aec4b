// A stand-in gateway on 127.0.0.1: each request is answered by the next handler of a script,
// and every request is recorded, so a test sees exactly how many attempts the client made.
import http from 'node:http';

export async function fakeGateway(handlers) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry = { remotePort: req.socket.remotePort, method: req.method, url: req.url, headers: req.headers, body: body ? JSON.parse(body) : undefined };
      requests.push(entry);
      const handler = handlers[Math.min(requests.length - 1, handlers.length - 1)];
      handler(req, res, entry);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }),
  };
}

export const json = (status, body, headers = {}) => (req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

// GET /v1/approvals/{id}?wait=N answered as the gateway answers it: held N seconds while the
// approval is still pending, at once otherwise.
export const held = (approval) => (req, res) => {
  const wait = Number(new URL(req.url, 'http://x').searchParams.get('wait') ?? 0);
  setTimeout(() => json(200, approval)(req, res), approval.status === 'pending' ? wait * 1000 : 0);
};

// Drops the connection without an answer: a network error for the client.
export const hangUp = () => (req, res) => { res.socket.destroy(); };

// Never answers.
export const silence = () => () => {};
