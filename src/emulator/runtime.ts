/**
 * The live parts of a running emulator that every request touches: state, settings, the
 * authenticator, the throttle, the fault plan and the timers of delayed answers.
 */
import type { Authenticator } from './auth/authenticator.js';
import type { FaultPlan } from './faults/fault-plan.js';
import type { ServiceState } from './service-state.js';
import type { EmulatorSettings } from './settings.js';
import type { TokenBucket } from './throttle/token-bucket.js';

/** The state and machinery one running emulator shares across its requests. */
export interface EmulatorRuntime {
  state: ServiceState;
  settings: EmulatorSettings;
  authenticator: Authenticator;
  bucket: TokenBucket | undefined;
  faults: FaultPlan;
  isTls: boolean;
  /** Timers of injected latency and slow answers, cancelled on close. */
  timers: Set<NodeJS.Timeout>;
}

/** Waits `delayMs`, unless the emulator closes first (then it never resolves). */
export function holdFor(runtime: EmulatorRuntime, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      runtime.timers.delete(timer);
      resolve();
    }, delayMs);
    runtime.timers.add(timer);
  });
}

/** Back to a fresh service: no records, zero counters, a full bucket, faults from the start. */
export function resetRuntime(runtime: EmulatorRuntime): void {
  runtime.state.clear();
  runtime.bucket?.fill(performance.now());
  runtime.faults.reset();
}
