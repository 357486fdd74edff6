import { describe, expect, it } from 'vitest';

import { AuthGuard, OutageDetector } from '../../src/dispatch/service-health.js';

describe('OutageDetector', () => {
  it('reports an outage at the threshold of consecutive unavailability failures', () => {
    const detector = new OutageDetector(3);

    expect(detector.observe({ kind: 'reply', status: 503, headers: {} })).toBe(false);
    expect(detector.observe({ kind: 'transport-error', code: 'timeout' })).toBe(false);
    expect(detector.observe({ kind: 'transport-error', code: 'connection-reset' })).toBe(true);
  });

  it('starts counting again after any answer that shows the service is up', () => {
    const detector = new OutageDetector(2);

    detector.observe({ kind: 'reply', status: 500, headers: {} });
    expect(detector.observe({ kind: 'reply', status: 429, headers: {} })).toBe(false);
    expect(detector.consecutiveFailures).toBe(0);
    expect(detector.observe({ kind: 'reply', status: 504, headers: {} })).toBe(false);
  });

  it('does not count TLS failures, which are configuration errors', () => {
    const detector = new OutageDetector(1);

    expect(detector.observe({ kind: 'transport-error', code: 'tls' })).toBe(false);
  });
});

describe('AuthGuard', () => {
  it('stops on a 401 before any answer was accepted', () => {
    expect(new AuthGuard().judge(401, 1, 1)).toBe('stop');
  });

  it('renews once after a 401 mid-run, then stops on a 401 with the renewed token', () => {
    const guard = new AuthGuard();
    guard.judge(200, 1, 1);

    expect(guard.judge(401, 1, 1)).toBe('renew-and-retry');
    guard.renewed(2);
    expect(guard.judge(401, 2, 2)).toBe('stop');
  });

  it('retries without renewing when another call already renewed the token', () => {
    const guard = new AuthGuard();
    guard.judge(200, 1, 1);
    guard.judge(401, 1, 1);
    guard.renewed(2);

    expect(guard.judge(401, 1, 2)).toBe('retry');
  });

  it('allows a new renewal once the renewed token has been accepted', () => {
    const guard = new AuthGuard();
    guard.judge(200, 1, 1);
    guard.judge(401, 1, 1);
    guard.renewed(2);
    guard.judge(200, 2, 2);

    expect(guard.judge(401, 2, 2)).toBe('renew-and-retry');
  });
});
