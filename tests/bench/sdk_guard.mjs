// Load generator of tests/bench/sdk_guard: CONCURRENCY guard() calls in flight at once from
// this one Node process (each loop awaits its answer and calls again), for DURATION seconds,
// through the oakgate package's pool of kept-alive connections (one per call in flight).
// Prints one JSON line: requests, seconds, requests/s, errors and the p50/p99 latency.
// BENCH_SDK: another build of the package to load (an absolute path to its dist/index.js),
// to compare two versions under the same conditions.
import { pathToFileURL } from 'node:url';

const { OakGate } = await import(process.env.BENCH_SDK ? pathToFileURL(process.env.BENCH_SDK).href : '../../sdk/typescript/dist/index.js');

const concurrency = Number(process.env.CONCURRENCY ?? 32);
const seconds = Number(process.env.DURATION ?? 10);
const oak = new OakGate({ apiKey: process.env.OAKGATE_BENCH_KEY, baseUrl: process.env.OAKGATE_URL, maxSockets: concurrency });
const request = { tool: 'github', scope: 'read', reasoning: 'bench' };

// Warm the pool so the measured window does not pay for connection set-up.
await Promise.all(Array.from({ length: concurrency }, () => oak.guard(request, () => 1)));

let done = 0;
let errors = 0;
const latencies = [];
const stopAt = performance.now() + seconds * 1000;
const started = performance.now();
async function loop() {
  while (performance.now() < stopAt) {
    const t = performance.now();
    try {
      await oak.guard(request, () => 1);
      done++;
      if (done % 16 === 0) latencies.push(performance.now() - t);
    } catch {
      errors++;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, loop));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? null;
console.log(JSON.stringify({ requests: done, seconds: elapsed, rps: done / elapsed, errors, p50_ms: q(0.5), p99_ms: q(0.99), node: process.version }));
await oak.close();
