/**
 * Reads the parts of a Markdown page the documentation tests check: code
 * (fenced blocks and inline spans, where commands and flags are written),
 * links and images, and the heading anchors GitHub makes. A small scanner
 * for the CommonMark our pages use (fences, backtick spans that may wrap
 * lines, inline and reference links, `<img src>`), not a full parser.
 */

/** A piece of code: a fenced block's logical line (continuations joined) or an inline span. */
export interface CodePiece {
  readonly kind: 'block' | 'span';
  readonly text: string;
  /** 1-based line where it starts. */
  readonly line: number;
}

/** A link or image target. */
export interface LinkTarget {
  readonly target: string;
  readonly image: boolean;
  readonly line: number;
}

/** What {@link scanMarkdown} finds in a page. */
export interface MarkdownScan {
  readonly code: readonly CodePiece[];
  readonly links: readonly LinkTarget[];
  /** Heading anchors (`#what-a-run-does`), GitHub's rule, duplicates numbered. */
  readonly anchors: ReadonlySet<string>;
}

/** Scans `text` (a whole page). */
export function scanMarkdown(text: string): MarkdownScan {
  const code: CodePiece[] = [];
  const links: LinkTarget[] = [];
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  let fence: { marker: string; start: number } | undefined;
  let block: { text: string; line: number } | undefined;
  let paragraph: { text: string; line: number } | undefined;
  const flushParagraph = () => {
    if (paragraph) scanInline(paragraph.text, paragraph.line, code, links);
    paragraph = undefined;
  };
  lines.forEach((line, i) => {
    const n = i + 1;
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') {
        fence = undefined;
        return;
      }
      // A shell line ending in a backslash continues on the next.
      if (block) block = { text: `${block.text} ${line.trim()}`, line: block.line };
      else block = { text: line.trim(), line: n };
      if (!/\\$/.test(line)) {
        code.push({ kind: 'block', text: block.text.replace(/\\ /g, ' '), line: block.line });
        block = undefined;
      }
      return;
    }
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (open) {
      flushParagraph();
      fence = { marker: open[1]!, start: n };
      return;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushParagraph();
      const slug = slugOf(heading[1]!);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
      scanInline(heading[1]!, n, code, links);
      return;
    }
    if (line.trim() === '') return flushParagraph();
    paragraph = paragraph ? { text: `${paragraph.text}\n${line}`, line: paragraph.line } : { text: line, line: n };
  });
  flushParagraph();
  return { code, links, anchors };
}

/** Code spans, then links outside them, in one paragraph (or table row run) starting at `line`. */
function scanInline(text: string, line: number, code: CodePiece[], links: LinkTarget[]): void {
  const lineAt = (offset: number) => line + (text.slice(0, offset).match(/\n/g)?.length ?? 0);
  let rest = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      rest += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (text[i] !== '`') {
      rest += text[i];
      i++;
      continue;
    }
    const run = /^`+/.exec(text.slice(i))![0];
    const close = text.indexOf(run, i + run.length);
    if (close < 0) {
      rest += run;
      i += run.length;
      continue;
    }
    // A code span's line breaks are spaces; one space on each side is stripped.
    const inner = text.slice(i + run.length, close).replace(/\n/g, ' ');
    code.push({ kind: 'span', text: inner.replace(/^ (.*) $/, '$1').replace(/\\\|/g, '|'), line: lineAt(i) });
    rest += ' '.repeat(close + run.length - i);
    i = close + run.length;
  }
  for (const m of rest.matchAll(/(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[2]!, image: m[1] === '!', line: lineAt(m.index) });
  for (const m of rest.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) links.push({ target: m[1]!, image: false, line: lineAt(m.index) });
  for (const m of rest.matchAll(/<(img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)) links.push({ target: m[2]!, image: m[1] === 'img', line: lineAt(m.index) });
}

/** GitHub's anchor for a heading: formatting dropped, lower case, punctuation removed, spaces to hyphens. */
export function slugOf(heading: string): string {
  const plain = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return plain.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
}
