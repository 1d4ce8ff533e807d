/**
 * `hotbench compare`: a candidate run against a baseline run, as a regression
 * gate for CI. Prints a Markdown table fit for a pull-request comment (or
 * terminal text / JSON) and exits 0 on a pass, 1 on a regression (named on
 * stderr too), 3 when the noise leaves a metric undecided (inconclusive), 2 on
 * bad input (unknown run, different scenario, malformed threshold) or a tool
 * error. The logic is `reports/compare/`; this is the thin command-line layer.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import {
  buildThresholds,
  compareRuns,
  CompareInputError,
  DEFAULT_THRESHOLDS,
  parseRunRef,
  renderCompareJson,
  renderCompareMarkdown,
  renderCompareTerminal,
  type Comparison,
} from '../../../reports/compare/index.js';
import { renderCompareJUnit } from '../../../reports/ci/junit-compare.js';
import { openStore } from '../../../results/open-store.js';
import { oneLine, UserError } from '../../errors.js';
import { jsonFlag, storeLocation } from '../flags.js';
import { optionsFor } from '../../config/options.js';
import { toStepSummary, writeJUnitFile } from '../ci-outputs.js';
import { print, say } from '../output.js';

interface CompareArgs {
  baseline?: string;
  candidate?: string;
  thresholds?: string;
  threshold?: string[];
  minEffect?: string;
  pair?: string[];
  allowDifferentScenario?: boolean;
  format?: string;
  out?: string;
  junit?: string;
  json?: boolean;
  clickhouse?: string;
  dataDir?: string;
}

const DEFAULTS_TEXT = Object.entries(DEFAULT_THRESHOLDS)
  .map(([k, v]) => `${k}: ${v}`)
  .join(', ');

/** The `compare` command (exit 0 pass, 1 regression, 3 inconclusive, 2 bad input or tool error). */
export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare',
  describe: 'compare a candidate run with a baseline run (same strategies, same scenario): Markdown for a pull request; exit 0 pass, 1 regression, 3 inconclusive, 2 usage or tool error',
  builder: (y) =>
    jsonFlag(optionsFor(y, 'compare'))
      .option('baseline', { type: 'string', demandOption: true, describe: 'run id, latest (newest complete run other than the candidate, same scenario), latest:<branch> (newest complete run on that git branch) or merge-base[:<branch>] (newest complete run recorded where HEAD left the branch; default branch: the PR/MR target CI sets, else main)' })
      .option('candidate', { type: 'string', describe: 'run id, latest or latest:<branch> [default latest]' })
      .option('thresholds', { type: 'string', describe: 'YAML file of metric: rule (e.g. p99_ack_ms: +10%), optional strategies: { <label or name>: {...} } and noise: { min_effect }' })
      .option('threshold', { type: 'string', array: true, describe: `metric=rule, repeatable, over the file: +10% / -5% (relative), +5 (absolute change), 0 / <= 50 (caps), >= 1000 (floor), '0 or +10%' (a cap, or the change where the baseline broke it), off. Defaults: ${DEFAULTS_TEXT}` })
      .option('min-effect', { type: 'string', describe: 'the smallest change that counts as a regression, for the default relative thresholds (p99 and goodput; posting delay twice it) [default 10%]' })
      .option('pair', { type: 'string', array: true, describe: 'baseline-label=candidate-label, repeatable: judge two different labels against each other (a parameter is part of the label), e.g. aggregate=aggregate:window=20ms' })
      .option('allow-different-scenario', { type: 'boolean', describe: 'compare runs of different scenarios instead of refusing' })
      .option('format', { type: 'string', choices: ['markdown', 'text'], describe: 'stdout format (without --json) [default markdown]' })
      .option('out', { type: 'string', describe: 'also write the Markdown to this file (e.g. for a PR comment step)' }) as unknown as Argv<CompareArgs>,
  handler: async (argv) => {
    const comparison = await runCompare(argv);
    if (argv.json) print(renderCompareJson(comparison));
    else print(argv.format === 'text' ? renderCompareTerminal(comparison) : renderCompareMarkdown(comparison));
    if (argv.out) {
      const path = resolve(argv.out);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, renderCompareMarkdown(comparison));
      say(`compare: Markdown written to ${path}`);
    }
    if (argv.junit) await writeJUnitFile(argv.junit, renderCompareJUnit(comparison));
    await toStepSummary(renderCompareMarkdown(comparison));
    for (const n of comparison.notes.filter((x) => x.startsWith('chosen: '))) say(`compare: ${n}`);
    for (const b of comparison.breaches) say(`compare: REGRESSION: ${b.metric} on ${b.strategy}: ${b.reason}`);
    for (const b of comparison.inconclusive) say(`compare: inconclusive: ${b.metric} on ${b.strategy}: ${b.reason}`);
    const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
    say(
      `compare: ${comparison.candidate.run_id} vs ${comparison.baseline.run_id}: ${comparison.decision}` +
        (comparison.decision === 'pass' ? '' : ` (${n(comparison.breaches.length, 'regression')}, ${n(comparison.inconclusive.length, 'inconclusive metric')})`),
    );
    process.exitCode = comparison.exit_code;
  },
};

/** `a=b` flags as label pairs; a malformed one is a {@link CompareInputError}. */
function parsePairs(flags: readonly string[]): [string, string][] {
  const problems: string[] = [];
  const pairs: [string, string][] = [];
  for (const f of flags) {
    const i = f.indexOf('=');
    // A label may hold '=' in its parameters (aggregate:window=20ms): split at the first '=' outside a parameter list.
    const split = /^([^:=]+(?::[^=]*=[^,=]*(?:,[^=]*=[^,=]*)*)?)=(.+)$/.exec(f);
    if (i <= 0 || i === f.length - 1 || !split) problems.push(`--pair ${JSON.stringify(f)}: write baseline-label=candidate-label, e.g. aggregate=aggregate:window=20ms`);
    else pairs.push([split[1]!, split[2]!]);
  }
  if (problems.length > 0) throw new CompareInputError(problems);
  return pairs;
}

/** Validates the input (before touching the store), then compares. Bad input becomes a {@link UserError} (exit 2). */
async function runCompare(argv: CompareArgs): Promise<Comparison> {
  try {
    const baseline = parseRunRef(String(argv.baseline), '--baseline');
    const candidate = parseRunRef(argv.candidate ?? 'latest', '--candidate');
    let file: { path: string; text: string } | undefined;
    if (argv.thresholds !== undefined) {
      const path = resolve(argv.thresholds);
      try {
        file = { path: argv.thresholds, text: await readFile(path, 'utf8') };
      } catch (err) {
        throw new CompareInputError([`--thresholds ${argv.thresholds}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); give a readable YAML file`]);
      }
    }
    const thresholds = buildThresholds({
      ...(file ? { file } : {}),
      flags: argv.threshold ?? [],
      ...(argv.minEffect !== undefined ? { minEffect: argv.minEffect } : {}),
    });
    const store = await openStore(storeLocation(argv));
    try {
      await store.migrate();
      return await compareRuns(store, { baseline, candidate, thresholds, allowDifferentScenario: argv.allowDifferentScenario === true, pairs: parsePairs(argv.pair ?? []) });
    } finally {
      await store.close();
    }
  } catch (err) {
    if (err instanceof CompareInputError) throw new UserError(err.message, 2);
    // Exit 1 means "regression" here: a tool failure must never read as one (nor as a pass), so it is 2 too.
    if (!(err instanceof UserError)) throw new UserError(`compare failed: ${oneLine(err)}`, 2);
    throw err;
  }
}
