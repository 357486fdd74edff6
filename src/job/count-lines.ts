/**
 * A fast estimate of the number of records, for the progress bar's total: newline bytes minus the
 * header. Quoted cells with line breaks make it a slight overestimate, which the bar tolerates.
 */
import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;

export async function estimateRecordCount(path: string): Promise<number> {
  let newlines = 0;
  let lastByte = NEWLINE;

  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (
      let index = chunk.indexOf(NEWLINE);
      index !== -1;
      index = chunk.indexOf(NEWLINE, index + 1)
    ) {
      newlines += 1;
    }

    if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
  }

  const lines = lastByte === NEWLINE ? newlines : newlines + 1;
  return Math.max(lines - 1, 0);
}
