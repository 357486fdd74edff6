/** Number formats shared by the table and the target checks. */

const MEGABYTE = 1024 * 1024;

/** `12,345` */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `12,345/s` */
export function formatRate(perSecond: number): string {
  return `${formatCount(perSecond)}/s`;
}

/** `87.5%` (one decimal). */
export function formatPercent(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : 'n/a';
}

/** `123.4 MiB` (one decimal unless told); `n/a` when unknown. */
export function formatMegabytes(bytes: number | undefined, decimals = 1): string {
  return bytes === undefined ? 'n/a' : `${(bytes / MEGABYTE).toFixed(decimals)} MiB`;
}

/** `23.5 GiB` (one decimal). */
export function formatGigabytes(bytes: number): string {
  return `${(bytes / (1024 * MEGABYTE)).toFixed(1)} GiB`;
}

/** `12.34 s` */
export function formatSeconds(seconds: number): string {
  return Number.isFinite(seconds) ? `${seconds.toFixed(2)} s` : 'n/a';
}

/** `5.2×` */
export function formatTimes(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a';
}
