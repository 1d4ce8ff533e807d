/**
 * The command-line reference (docs/cli.md, where the README's flags table
 * moved) and the option table (runner/config/options.ts) name the same flags
 * with the same environment variables and defaults, on every command that
 * takes them: the page is generated from the CLI's definitions, so a row
 * that drifted would mean the generator lost track of the table (a flag the
 * CLI does not have, or a wrong variable). docs-cli-md-is-current checks the
 * committed page is the generated one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliDocsPath } from '../runner/cli/write-cli-docs.js';
import { flagOf, helpOf, OPTION_SPECS, type OptionKey } from '../runner/config/options.js';

/** `| `--flag <value>` | `ENV` | default | ... |` rows of each command's flags table in docs/cli.md, by command, then flag. */
function docRows(): Map<string, Map<string, { env: string; def: string }>> {
  const text = readFileSync(cliDocsPath(), 'utf8');
  const out = new Map<string, Map<string, { env: string; def: string }>>();
  for (const section of text.split(/^## hotbench /m).slice(1)) {
    const rows = new Map<string, { env: string; def: string }>();
    for (const line of section.split('\n')) {
      const cells = line.split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim());
      const flag = /^`(--[a-z0-9-]+)/.exec(cells[0] ?? '')?.[1];
      if (flag) rows.set(flag, { env: (cells[1] ?? '').replace(/`/g, '').split(',')[0]!, def: (cells[2] ?? '').replace(/&lt;/g, '<') });
    }
    out.set(section.slice(0, section.indexOf('\n')).trim(), rows);
  }
  return out;
}

describe('option table', () => {
  it('has a docs/cli.md row for every option on every command that takes it, with its environment variable and default', () => {
    const docs = docRows();
    expect(docs.get('run')?.size, 'docs/cli.md has no `## hotbench run` flags table').toBeGreaterThan(10);
    for (const o of OPTION_SPECS) {
      const flag = flagOf(o.key as OptionKey);
      for (const command of o.commands) {
        const row = docs.get(command)?.get(flag);
        expect(row, `docs/cli.md has no row for hotbench ${command} ${flag}`).toBeDefined();
        expect(row!.env, `${command} ${flag}`).toBe(o.env ?? '');
        const own = o.byCommand?.[command];
        const def = own !== undefined ? String(own.shown ?? own.default) : o.default !== undefined ? String(o.default) : o.shownDefault;
        if (def !== undefined) expect(row!.def, `${command} ${flag}`).toBe(def);
      }
    }
  });

  it('appends env and default to the help, once', () => {
    for (const o of OPTION_SPECS) {
      const help = helpOf(o);
      if (o.env) expect(help.split(o.env).length - 1, o.key).toBe(1);
      expect(o.help, o.key).not.toMatch(/\[env |default /);
    }
  });
});
