/**
 * RFC 4180 quoting for the report's cells. Small enough that a dependency would cost more than it
 * saves: quote when a cell holds the delimiter, a quote or a line break, and double inner quotes.
 */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';

  const text = String(value);
  if (!/[",\r\n]/.test(text)) return text;

  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(cells: (string | number | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\n`;
}
