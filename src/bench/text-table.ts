/** Plain-text tables for the terminal and Markdown tables for docs/performance.md. */

/** Columns padded to their widest cell; the first column left-aligned, the others right. */
export function renderTextTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );

  const renderRow = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? cell.length;
        return column === 0 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();

  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [renderRow(headers), rule, ...rows.map(renderRow)].join('\n');
}

/** A GitHub Markdown table with the same alignment as the text one. */
export function renderMarkdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const alignment = headers.map((_, column) => (column === 0 ? ':---' : '---:'));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(alignment), ...rows.map(line)].join('\n');
}
