/**
 * Timestamps and etags in the formats the service was observed to use (contract 2.3, 2.7).
 */

let etagCounter = Math.floor(Math.random() * 0xffffffff);

/**
 * `2023-05-19T23:10:45.1256254Z`: up to seven fractional digits with trailing zeros trimmed
 * (.NET's `FFFFFFF`). JavaScript clocks stop at milliseconds, so the four sub-millisecond digits
 * come from the high-resolution clock; they only make the shape right.
 */
export function formatServiceTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const ticks = Number(process.hrtime.bigint() % 1_000_000n) / 100;
  const fraction = (iso.slice(20, 23) + String(Math.floor(ticks)).padStart(4, '0')).replace(
    /0+$/,
    '',
  );

  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/** `2023-05-19T23:10:43Z`: whole seconds, as X.509 `info` dates were observed. */
export function formatWholeSecondTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * A new etag: base64 of a quoted Cosmos-style etag such as
 * `"0a00b742-0000-0800-0000-646801f50000"` (observed shape). A process-wide counter makes each
 * one different; the seconds part makes them differ across restarts too.
 */
export function createEtag(epochMs: number): string {
  etagCounter = (etagCounter + 1) >>> 0;
  const counterHex = etagCounter.toString(16).padStart(8, '0');
  const secondsHex = Math.floor(epochMs / 1000)
    .toString(16)
    .padStart(8, '0');

  return Buffer.from(`"${counterHex}-0000-0800-0000-${secondsHex}0000"`).toString('base64');
}

/**
 * The etag an `If-Match` value names: surrounding quotes and a weak `W/` prefix removed, so the
 * raw and the quoted forms both match (contract 2.7). `*` stays `*`.
 */
export function unquoteEtag(value: string): string {
  let text = value.trim();
  if (text.startsWith('W/')) text = text.slice(2);
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);

  return text;
}
