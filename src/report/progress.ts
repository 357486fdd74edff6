/**
 * The progress bar on stderr: rows done, rate, ETA, succeeded/failed. Drawn only when stderr is a
 * TTY and progress is wanted, so logs, pipes and schedulers never see control characters.
 */
import { SingleBar, Presets } from 'cli-progress';

import type { RowOutcome } from '../outcomes/index.js';

export interface ProgressView {
  /** The estimated number of rows (from a fast line count); the bar grows past it if needed. */
  start(estimatedRows: number): void;
  update(outcome: RowOutcome): void;
  stop(): void;
}

export function createProgressView(
  wanted: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressView {
  if (!wanted || !stream.isTTY) return SILENT_PROGRESS;
  return new BarProgress(stream);
}

const SILENT_PROGRESS: ProgressView = {
  start: () => undefined,
  update: () => undefined,
  stop: () => undefined,
};

class BarProgress implements ProgressView {
  readonly #bar: SingleBar;
  readonly #startedAt = Date.now();
  #done = 0;
  #total = 0;
  #succeeded = 0;
  #failed = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#bar = new SingleBar(
      {
        stream,
        format:
          '{bar} {value}/{total} rows | {rate} rows/s | ETA {eta_formatted} | ' +
          'ok {succeeded} | failed {failed}',
        hideCursor: true,
        etaBuffer: 200,
        fps: 5,
      },
      Presets.shades_classic,
    );
  }

  start(estimatedRows: number): void {
    this.#total = Math.max(estimatedRows, 1);
    this.#bar.start(this.#total, 0, this.#payload());
  }

  update(outcome: RowOutcome): void {
    this.#done += 1;
    if (
      outcome.status === 'succeeded' ||
      outcome.status === 'unchanged' ||
      outcome.status === 'valid'
    ) {
      this.#succeeded += 1;
    } else if (outcome.status === 'failed' || outcome.status === 'invalid') {
      this.#failed += 1;
    }

    if (this.#done > this.#total) {
      this.#total = this.#done;
      this.#bar.setTotal(this.#total);
    }

    this.#bar.update(this.#done, this.#payload());
  }

  stop(): void {
    this.#bar.stop();
  }

  #payload(): Record<string, string | number> {
    const seconds = (Date.now() - this.#startedAt) / 1000;
    return {
      rate: seconds > 0 ? Math.round(this.#done / seconds) : 0,
      succeeded: this.#succeeded,
      failed: this.#failed,
    };
  }
}
