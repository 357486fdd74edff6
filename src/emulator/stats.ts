/**
 * Counters served at `GET /__emulator/stats` and by `RunningEmulator.stats()`. Only service
 * requests count; calls to `/__emulator/*` do not, so polling the stats never moves them.
 */

/** Emulator counters. */
export interface EmulatorStats {
  /** Service HTTP requests received, whatever their answer (401, 429 and faults included). */
  requests: number;
  /** Requests that passed authentication and the throttle (what the quota counts). */
  operations: number;
  /** Requests answered 429. */
  throttled: number;
  /** Injected faults (500, 503, latency, drops, slow answers). */
  faults: number;
  /** Individual enrollments stored now. */
  enrollments: number;
  /** Enrollment groups stored now. */
  enrollmentGroups: number;
  /** Successful creations per individual enrollment ID (lower-cased), over the emulator's life
   * since start or reset: a value above 1 means the ID was created, deleted and created again. */
  createsPerId: Record<string, number>;
}

/** The counters behind `EmulatorStats`, bumped on the request path. */
export class StatsCounters {
  requests = 0;
  operations = 0;
  throttled = 0;
  faults = 0;
  readonly createsPerId = new Map<string, number>();

  countCreate(id: string): void {
    const key = id.toLowerCase();
    this.createsPerId.set(key, (this.createsPerId.get(key) ?? 0) + 1);
  }

  snapshot(enrollments: number, enrollmentGroups: number): EmulatorStats {
    return {
      requests: this.requests,
      operations: this.operations,
      throttled: this.throttled,
      faults: this.faults,
      enrollments,
      enrollmentGroups,
      createsPerId: Object.fromEntries(this.createsPerId),
    };
  }

  reset(): void {
    this.requests = 0;
    this.operations = 0;
    this.throttled = 0;
    this.faults = 0;
    this.createsPerId.clear();
  }
}
