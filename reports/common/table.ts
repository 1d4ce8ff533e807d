/**
 * A table of cell text and its three layouts (terminal, Markdown, HTML),
 * shared by every report: the run report, compare and capacity build a
 * {@link Table} and lay it out with these, so a table reads the same in each.
 */
import { escapeHtml } from './escape.js';

/** A table column: its header and how its cells align. */
export interface Column {
  readonly header: string;
  readonly align: 'left' | 'right';
}

/** A table: columns and rows of cell text. */
export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * Text safe in a Markdown table cell or list item: `&`, `<`, `>` as entities
 * (so no HTML gets through), pipes, backslashes and emphasis characters
 * backslash-escaped, newlines flattened.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** A GitHub table: header, alignment row, rows. */
export function markdownTable(table: Table): string[] {
  const row = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [row(table.columns.map((c) => c.header)), `|${table.columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`, ...table.rows.map(row)];
}

/** Display width of a cell (code points; the table holds no wide characters besides the label text). */
function width(text: string): number {
  return [...text].length;
}

/** Lays a table out with columns padded to their widest cell, two spaces apart. */
export function alignTable(table: Table): string[] {
  const widths = table.columns.map((c, i) => Math.max(width(c.header), ...table.rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - width(cell));
        return table.columns[i]!.align === 'left' ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  return [line(table.columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)];
}

/** A table as HTML; numeric columns right-aligned. */
export function htmlTable(table: Table, className = ''): string {
  const cls = (align: 'left' | 'right') => (align === 'right' ? ' class="num"' : '');
  // A header may wrap after an underscore (catalog names such as money_safe_goodput are long).
  const head = table.columns.map((c) => `<th${cls(c.align)}>${escapeHtml(c.header).replace(/_/g, '_<wbr>')}</th>`).join('');
  const body = table.rows.map((r) => `<tr>${r.map((cell, i) => `<td${cls(table.columns[i]!.align)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${escapeHtml(className)}"` : ''}>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
