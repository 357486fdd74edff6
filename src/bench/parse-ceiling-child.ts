/**
 * The parse ceiling, run as its own process: csv-parse alone streams a manifest and counts its
 * records, doing nothing else with them. Usage: `node parse-ceiling-child.js FILE`.
 * Prints one JSON line: `{"records":N}` (the header included).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';

import { parse } from 'csv-parse';

/** Read size of the file stream, in bytes; the same order as any streaming reader would use. */
const READ_CHUNK_BYTES = 64 * 1024;

async function countRecords(path: string): Promise<number> {
  let records = 0;

  // The cheapest sink there is: an object-mode Writable that only counts.
  const counter = new Writable({
    objectMode: true,
    write(_record: unknown, _encoding, callback) {
      records += 1;
      callback();
    },
  });

  await pipeline(
    createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    parse({ bom: true }),
    counter,
  );
  return records;
}

const path = process.argv[2];

if (path === undefined) {
  process.stderr.write('parse-ceiling-child: usage: node parse-ceiling-child.js FILE\n');
  process.exitCode = 2;
} else {
  const records = await countRecords(path);
  process.stdout.write(`${JSON.stringify({ records })}\n`);
}
