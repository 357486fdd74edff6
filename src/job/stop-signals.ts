/**
 * Turns SIGINT and SIGTERM into a graceful stop: the first signal asks the run to stop reading and
 * drain; the run then writes its report and exits 130 or 143. A second signal is not swallowed, so
 * a user who really wants out still gets out.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface StopSignals {
  /** The first signal received, if any. */
  readonly received: StopSignal | undefined;
  /** Removes the handlers; call when the run is over. */
  dispose(): void;
}

export function listenForStopSignals(onStop: (signal: StopSignal) => void): StopSignals {
  let received: StopSignal | undefined;

  const handle = (signal: StopSignal) => {
    if (received) {
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }

    received = signal;
    onStop(signal);
  };
  const onInterrupt = () => handle('SIGINT');
  const onTerminate = () => handle('SIGTERM');

  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);

  return {
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    },
  };
}
