import { readFileSync } from 'node:fs';

/**
 * `dps-bulk/<version>`, the version read from package.json. The file sits three folders above
 * this module both in src/dps/client and in dist/dps/client.
 */
export function defaultUserAgent(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return `dps-bulk/${(JSON.parse(text) as { version: string }).version}`;
  } catch {
    // A missing package.json (a bundled copy) must not stop a run; the name still identifies us.
    return 'dps-bulk';
  }
}
