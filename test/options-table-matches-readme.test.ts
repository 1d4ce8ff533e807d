/**
 * The README's `run` flags table and the option table (runner/config/options.ts)
 * name the same flags with the same environment variables and defaults: the
 * help text is derived from the option table, so a README row that drifts
 * from it would document a flag the CLI does not have (or a wrong variable).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../scenarios/index.js';
import { flagOf, helpOf, OPTIONS, type OptionSpec } from '../runner/config/options.js';

/** `| `--flag` | `ENV` | default | ... |` rows of the README's run flags table, keyed by flag. */
function readmeRows(): Map<string, { env: string; def: string }> {
  const text = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('### `run` flags'), text.indexOf('**Precedence**'));
  const rows = new Map<string, { env: string; def: string }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const flag = /^`(--[a-z-]+)/.exec(cells[1] ?? '')?.[1];
    if (flag) rows.set(flag, { env: (cells[2] ?? '').replace(/`/g, ''), def: (cells[3] ?? '').replace(/`/g, '') });
  }
  return rows;
}

describe('option table', () => {
  const runOptions = (OPTIONS as readonly OptionSpec[]).filter((o) => o.commands.includes('run'));

  it('has a README row for every run option, with its environment variable', () => {
    const rows = readmeRows();
    for (const o of runOptions) {
      const row = rows.get(flagOf(o.key as never));
      expect(row, `README has no row for ${flagOf(o.key as never)}`).toBeDefined();
      expect(row!.env, flagOf(o.key as never)).toBe(o.env ?? '');
      if (o.default !== undefined) expect(row!.def, flagOf(o.key as never)).toBe(String(o.default));
    }
  });

  it('appends env and default to the help, once', () => {
    for (const o of runOptions) {
      const help = helpOf(o);
      if (o.env) expect(help.split(o.env).length - 1, o.key).toBe(1);
      expect(o.help, o.key).not.toMatch(/\[env |default /);
    }
  });
});
