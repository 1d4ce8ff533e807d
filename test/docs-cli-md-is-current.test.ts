/**
 * docs/cli.md, the command-line reference, is generated (`npm run docs`)
 * from the CLI's own definitions, so it cannot drift from them:
 *
 * - the committed page is byte for byte what the generator writes today
 *   (change a flag's help, forget to regenerate: this fails);
 * - the definitions the generator reads (runner/cli/reference.ts, which runs
 *   each command's yargs builder against a recorder) are the flags yargs
 *   itself lists in each command's `--help`.
 * (test/options-table-matches-cli-docs.test.ts checks every option of the
 * option table has its row, environment variable and default on the page.)
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../runner/cli/commands/index.js';
import { cliCommands, commandName } from '../runner/cli/reference.js';
import { cliDocsPath, cliDocsText } from '../runner/cli/write-cli-docs.js';

/** What yargs prints for `hotbench <name> --help`, in this process (no exit, no handler run). */
function yargsHelp(name: string): Promise<string> {
  const mod = COMMANDS.find((m) => commandName(m) === name)!;
  return new Promise((resolve, reject) => {
    yargs()
      .scriptName('hotbench')
      .command(mod)
      .exitProcess(false)
      .wrap(null)
      .version(false)
      .help()
      .parse([name, '--help'], {}, (err, _argv, output) => (err ? reject(err) : resolve(output)));
  });
}

describe('docs/cli.md', () => {
  it('is what `npm run docs` writes from the current definitions', () => {
    const committed = readFileSync(cliDocsPath(), 'utf8');
    // toBe on the whole text prints a line diff when it differs.
    expect(committed, 'docs/cli.md is stale: run `npm run build && npm run docs` and commit it').toBe(cliDocsText());
  });
});

describe('the definitions the reference is generated from', () => {
  for (const command of cliCommands()) {
    it(`are the flags yargs lists for hotbench ${command.name} --help`, async () => {
      const help = await yargsHelp(command.name);
      const listed = [...help.matchAll(/^\s+--([a-z0-9][a-z0-9-]*)/gm)].map((m) => m[1]!).filter((f) => f !== 'help');
      expect(listed.sort()).toEqual(command.flags.map((f) => f.name).sort());
      for (const p of command.positionals) expect(help, command.name).toContain(`<${p.name}>`);
    });
  }
});
