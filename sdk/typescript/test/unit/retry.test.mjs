// The retry policy as pure functions: which failures are retried and how long the waits are.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { backoffDelay, isRetryableStatus, isRetryableNetworkError, parseRetryAfter } from '../../dist/index.js';

test('backoff grows exponentially, is capped, and is jittered below its ceiling', () => {
  const policy = { baseMs: 100, capMs: 1000 };
  assert.equal(backoffDelay(0, policy, () => 0.999), 99);
  assert.equal(backoffDelay(1, policy, () => 0.999), 199);
  assert.equal(backoffDelay(3, policy, () => 0.999), 799);
  assert.equal(backoffDelay(10, policy, () => 0.999), 999);
  assert.equal(backoffDelay(2, policy, () => 0), 0);
  for (let i = 0; i < 1000; i++) {
    const d = backoffDelay(5, policy);
    assert.ok(d >= 0 && d < 1000, `delay ${d} outside [0, cap)`);
  }
});

test('a Retry-After is a floor the backoff never goes under', () => {
  assert.equal(backoffDelay(0, { baseMs: 100, capMs: 1000 }, () => 0.5, 2), 2000);
  assert.equal(backoffDelay(5, { baseMs: 1000, capMs: 8000 }, () => 0.5, 1), 8000 * 0.5);
});

test('only a 503 with Retry-After is a retryable status', () => {
  assert.equal(isRetryableStatus(503, 1), true);
  assert.equal(isRetryableStatus(503, undefined), false);
  for (const status of [200, 400, 401, 403, 404, 409, 429, 500, 502]) assert.equal(isRetryableStatus(status, 1), false, String(status));
});

test('connection failures are retryable network errors and unknown codes are not', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE']) assert.equal(isRetryableNetworkError(code), true);
  assert.equal(isRetryableNetworkError(undefined), false);
  assert.equal(isRetryableNetworkError('ERR_INVALID_URL'), false);
});

test('Retry-After parses delta-seconds and HTTP dates and rejects garbage', () => {
  assert.equal(parseRetryAfter('3'), 3);
  assert.equal(parseRetryAfter(' 0 '), 0);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
});
