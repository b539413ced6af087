/**
 * Plain-text layout for people: aligned columns and `Key: value` blocks. Widths
 * count code points, so accents and most symbols line up; wide CJK glyphs do not.
 */
export interface Column<Row> {
  readonly header: string;
  readonly get: (row: Row) => string;
}

function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - width(text)));
}

/** One line per row, columns two spaces apart; a header and a rule line when headers are given. */
export function formatTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  options: { headers?: boolean } = {},
): string[] {
  const showHeaders = options.headers ?? true;
  const cells = rows.map((row) => columns.map((column) => oneLine(column.get(row))));
  const headers = columns.map((column) => column.header);
  const widths = columns.map((_, i) =>
    Math.max(showHeaders ? width(headers[i] ?? '') : 0, ...cells.map((line) => width(line[i] ?? ''))),
  );
  const render = (line: readonly string[]): string =>
    line.map((cell, i) => pad(cell, widths[i] ?? 0)).join('  ').trimEnd();
  const body = cells.map(render);
  if (!showHeaders) return body;
  return [render(headers), render(widths.map((size) => '─'.repeat(size))), ...body];
}

/** `Key: value` lines with the values aligned; a multi-line value is indented under itself. */
export function formatKeyValues(pairs: readonly (readonly [string, string])[]): string[] {
  const keyWidth = Math.max(0, ...pairs.map(([key]) => width(key) + 1));
  return pairs.flatMap(([key, value]) => {
    const [first = '', ...rest] = value.split('\n');
    const indent = ' '.repeat(keyWidth + 1);
    return [`${pad(`${key}:`, keyWidth)} ${first}`.trimEnd(), ...rest.map((line) => `${indent}${line}`.trimEnd())];
  });
}

/** Control characters (newlines above all) would break a table row: show them escaped. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
}

/** heroku/cli's section header. */
export function formatHeader(title: string): string {
  return `=== ${title}`;
}
