/**
 * What the README and the docs/ pages tell a reader to type exists, and what
 * they link to is there:
 *
 * - every `hotbench <command> --flag ...` written in code (a fenced block or
 *   an inline span) names a command the CLI has and flags that command takes;
 *   a span that starts with a command name and a flag (`run --repeat 3`) counts
 *   too, and a span that starts with a flag (`--pg`) must name a flag of some
 *   command. The CLI is asked, not a list kept here: its yargs definitions
 *   (runner/cli/reference.ts), themselves checked against `hotbench --help`.
 * - every relative link and image resolves to a file of the repository, and a
 *   `#anchor` to a heading of the page it points to.
 *
 * Flags of other programs are written with their program (`npm run bench:hot
 * -- --rate 40000`, `node --trace-gc`), so they are not taken for hotbench's.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../scenarios/index.js';
import { cliCommands, flagNames, GLOBAL_FLAGS, type CliCommand } from '../runner/cli/reference.js';
import { runCli } from './support/cli.js';
import { scanMarkdown, type MarkdownScan } from './support/markdown.js';

const root = packageRoot();

/** README.md and every docs/*.md, as repository-relative paths. */
function pages(): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

const commands = cliCommands();
const byName = new Map<string, CliCommand>(commands.map((c) => [c.name, c]));
const anyFlag = new Set<string>([...GLOBAL_FLAGS.map((f) => f.name), ...commands.flatMap((c) => [...flagNames(c)])]);

/** `--name` tokens of an argument string (a value after `=` dropped). */
function flagsIn(args: string): string[] {
  return [...args.matchAll(/(?:^|[\s[(])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]!);
}

/** Problems with the commands and flags one page writes. */
function commandProblems(page: string, scan: MarkdownScan): string[] {
  const problems: string[] = [];
  for (const piece of scan.code) {
    const where = `${page}:${piece.line}`;
    // In a shell block, an invocation ends at a comment or the next command of the line.
    const text = piece.kind === 'block' ? piece.text.replace(/\s#.*$/, '') : piece.text;
    const parts = piece.kind === 'block' ? text.split(/\s(?:&&|\|\||;|\|)\s/) : [text];
    let invoked = false;
    for (const part of parts) {
      for (const m of part.matchAll(/(?:^|[\s(])hotbench\s+([a-z][a-z0-9-]*)(.*?)(?=$|\shotbench\s)/g)) {
        invoked = true;
        problems.push(...invocationProblems(where, m[1]!, m[2]!));
      }
    }
    if (invoked || piece.kind === 'block') continue;
    const lead = /^([a-z][a-z0-9-]*)\s+(--.*)$/.exec(text);
    if (lead && byName.has(lead[1]!)) problems.push(...invocationProblems(where, lead[1]!, lead[2]!));
    else if (/^--[a-z0-9]/.test(text)) for (const f of flagsIn(text)) if (!anyFlag.has(f)) problems.push(`${where}: \`${text}\`: no hotbench command has --${f}`);
  }
  return problems;
}

function invocationProblems(where: string, name: string, args: string): string[] {
  const command = byName.get(name);
  if (!command) return [`${where}: hotbench ${name}: no such command (the CLI has ${commands.map((c) => c.name).join(', ')})`];
  const known = flagNames(command);
  return flagsIn(args)
    .filter((f) => !known.has(f))
    .map((f) => `${where}: hotbench ${name} --${f}: no such flag of ${name} (see docs/cli.md#hotbench-${name})`);
}

/** Problems with the links and images of one page. */
function linkProblems(page: string, scan: MarkdownScan, anchorsOf: (file: string) => ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const link of scan.links) {
    const where = `${page}:${link.line}`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto:: not ours to check offline
    const [path, anchor] = link.target.split('#', 2) as [string, string | undefined];
    const file = path === '' ? join(root, page) : resolve(root, dirname(page), decodeURIComponent(path));
    if (!file.startsWith(root) || !existsSync(file)) {
      problems.push(`${where}: ${link.image ? 'image' : 'link'} ${link.target}: no such file ${relative(root, file)}`);
      continue;
    }
    if (anchor && file.endsWith('.md') && statSync(file).isFile() && !anchorsOf(file).has(anchor)) problems.push(`${where}: link ${link.target}: ${relative(root, file)} has no heading with anchor #${anchor}`);
  }
  return problems;
}

const scans = new Map<string, MarkdownScan>();
function scanOf(file: string): MarkdownScan {
  let scan = scans.get(file);
  if (!scan) scans.set(file, (scan = scanMarkdown(readFileSync(file, 'utf8'))));
  return scan;
}

describe('the README and docs/*.md', () => {
  it('are found, and the scanner sees their code and links', () => {
    const all = pages();
    expect(all).toContain('README.md');
    expect(all).toContain('docs/cli.md');
    const readme = scanOf(join(root, 'README.md'));
    expect(readme.code.some((c) => /hotbench run/.test(c.text))).toBe(true);
    expect(readme.links.some((l) => l.image)).toBe(true);
  });

  it('name only commands and flags the CLI has', () => {
    const problems = pages().flatMap((page) => commandProblems(page, scanOf(join(root, page))));
    expect(problems).toEqual([]);
  });

  it('link only to files (and headings) that exist', () => {
    const problems = pages().flatMap((page) => linkProblems(page, scanOf(join(root, page)), (file) => scanOf(file).anchors));
    expect(problems).toEqual([]);
  });
});

describe('the checker', () => {
  it('catches a renamed flag, an unknown command, a bare unknown flag and a missing file', () => {
    const scan = scanMarkdown(
      ['Run `hotbench run --strategys row-lock`, then `hotbench rerun`.', '', '```sh', 'npx hotbench compare --baseline merge-base \\', '  --junti out.xml  # a comment', '```', '', '`--pgurl` and `capacity --slow` and [a page](docs/nope.md) and [a heading](README.md#no-such-heading).'].join('\n'),
    );
    expect(commandProblems('x.md', scan)).toEqual([
      'x.md:1: hotbench run --strategys: no such flag of run (see docs/cli.md#hotbench-run)',
      `x.md:1: hotbench rerun: no such command (the CLI has ${commands.map((c) => c.name).join(', ')})`,
      'x.md:4: hotbench compare --junti: no such flag of compare (see docs/cli.md#hotbench-compare)',
      'x.md:8: `--pgurl`: no hotbench command has --pgurl',
      'x.md:8: hotbench capacity --slow: no such flag of capacity (see docs/cli.md#hotbench-capacity)',
    ]);
    expect(linkProblems('x.md', scan, (file) => scanOf(file).anchors)).toEqual(['x.md:8: link docs/nope.md: no such file docs/nope.md', 'x.md:8: link README.md#no-such-heading: README.md has no heading with anchor #no-such-heading']);
  });
});

describe('the CLI definitions the check reads', () => {
  let help = '';
  beforeAll(async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    help = top.stdout;
  }, 120_000); // one Node start with the CLI's imports: ~10 s on a busy shared machine

  it('are the commands `hotbench --help` lists', () => {
    const listed = [...help.matchAll(/^\s+hotbench ([a-z][a-z-]*)/gm)].map((m) => m[1]!);
    expect(listed).toEqual(commands.map((c) => c.name));
  });
});
