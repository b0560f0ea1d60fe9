// Plain-text tables and key/value blocks for terminal output: aligned columns, cells clipped to a readable width.

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Longer cells are clipped with '…'. Default 40. */
  readonly maxWidth?: number;
  /** Numbers read better right-aligned. Default 'left'. */
  readonly align?: 'left' | 'right';
}

const DEFAULT_MAX_WIDTH = 40;
const GAP = '  ';

/** Header line plus one line per row; no trailing spaces. */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => clip(oneLine(column.value(row)), column.maxWidth ?? DEFAULT_MAX_WIDTH)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => displayWidth(line[index]!))),
  );
  const render = (line: readonly string[]) =>
    line
      .map((cell, index) => {
        const padding = ' '.repeat(widths[index]! - displayWidth(cell));
        return columns[index]!.align === 'right' ? padding + cell : cell + padding;
      })
      .join(GAP)
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n');
}

/** `key   value` lines with the keys padded to one width; undefined values are left out. */
export function formatKeyValues(entries: readonly (readonly [string, string | undefined])[]): string {
  const shown = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  return shown.map(([key, value]) => `${key.padEnd(width)}${GAP}${value}`.trimEnd()).join('\n');
}

export function clip(text: string, maxWidth: number): string {
  const characters = [...text];
  if (characters.length <= maxWidth) return text;
  return `${characters.slice(0, Math.max(0, maxWidth - 1)).join('')}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Width in code points; good enough for the ASCII-plus-ellipsis the CLI prints. */
function displayWidth(text: string): number {
  return [...text].length;
}
