/**
 * The option table (runner/config/options.ts) is the only place an option is
 * written: walking every entry, each one reaches its commands' yargs parser
 * (through the real command builders), its environment variable, the value
 * sources `--dry-run --json` prints, the resolved config's field and, where
 * the entry says so, the recorded config (passwords masked). A planted entry
 * shows that adding an option is one entry and nothing else.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { afterEach, describe, expect, it } from 'vitest';
import { blastCommand } from '../runner/cli/commands/blast.js';
import { capacityCommand } from '../runner/cli/commands/capacity.js';
import { runCommand } from '../runner/cli/commands/run.js';
import { durationUs } from '../runner/config/option-parsers.js';
import { commandDefault, fieldOf, flagOf, OPTIONS, optionsOf, type OptionCommand, type OptionKey, type OptionSpec } from '../runner/config/options.js';
import { recordedConfig, resolveRunConfig } from '../runner/config/run-config.js';

/** Commands that resolve a run configuration, with their yargs modules. */
const RESOLVING: Partial<Record<OptionCommand, CommandModule<object, never>>> = { run: runCommand as never, capacity: capacityCommand as never, blast: blastCommand as never };

/** A valid value for entries with no default (URLs carry a password the recorded config must mask). */
const SAMPLES: Readonly<Record<string, string | number | boolean | readonly string[]>> = {
  clickhouse: 'http://u:sekret@ch.example:8123',
  stack: 'compose',
  strategies: 'row-lock',
  duration: '3s',
  seed: 42,
  pg: 'postgres://u:sekret@db.example:5432/x',
  pgReplica: 'postgres://u:sekret@replica.example:5432/x',
  redis: 'redis://u:sekret@redis.example:6379',
  kafka: 'k1.example:9092,k2.example:9092',
  keepDatabases: true,
  slo: 'p99_ack_ms<20ms',
  fault: ['redis:restart@1s'],
  target: 'http://127.0.0.1:8080',
};

function sampleOf(spec: OptionSpec, command: OptionCommand): string | number | boolean | readonly string[] {
  // an entry with neither a default nor a sample here gets a plain value of its type (a parser that refuses it asks for a sample)
  const plain = { string: 'sample-value', number: 1, boolean: true, array: ['sample-value'] }[spec.type];
  return SAMPLES[spec.key] ?? commandDefault(spec, command) ?? plain;
}

/** argv words giving `value` to `spec`'s flag. */
function words(spec: OptionSpec, value: string | number | boolean | readonly string[]): string[] {
  const flag = flagOf(spec.key as OptionKey);
  if (typeof value === 'boolean') return value ? [flag] : [`--no-${flag.slice(2)}`];
  if (Array.isArray(value)) return value.flatMap((v: string) => [flag, v]);
  return [flag, String(value)];
}

/** The environment's spelling of `value`. */
function envText(value: string | number | boolean | readonly string[]): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Parses `argv` with the command's real builder, strict (an unknown flag throws), into the table's options. */
function parseWith(command: OptionCommand, argv: string[]) {
  const builder = RESOLVING[command]!.builder as (y: Argv) => Argv;
  const parsed = builder(yargs(argv).strict().exitProcess(false).fail((msg, err) => { throw err ?? new Error(msg); })).parseSync();
  return optionsOf(parsed, command);
}

/** Every (entry, resolving command) pair of the table. */
function pairs(): [OptionSpec, OptionCommand][] {
  return (OPTIONS as readonly OptionSpec[]).flatMap((spec) => spec.commands.filter((c) => c in RESOLVING).map((c): [OptionSpec, OptionCommand] => [spec, c]));
}

async function expectDrivenByTable(spec: OptionSpec, command: OptionCommand): Promise<void> {
  const label = `${command} ${flagOf(spec.key as OptionKey)}`;
  const sample = sampleOf(spec, command);
  const expected = spec.parse(sample as never, 'sample');

  const flags = parseWith(command, words(spec, sample));
  expect(flags[spec.key as keyof typeof flags], `${label}: reaches yargs`).toBeDefined();
  const fromFlag = await resolveRunConfig(flags, {}, command);
  expect(fromFlag.sources[spec.key], `${label}: source`).toBe('flag');
  if (!['seed', 'duration', 'slo'].includes(spec.key)) expect((fromFlag as unknown as Record<string, unknown>)[fieldOf(spec)], `${label}: resolved field`).toEqual(expected);

  if (spec.env !== undefined) {
    const fromEnv = await resolveRunConfig({}, { [spec.env]: envText(sample) }, command);
    expect(fromEnv.sources[spec.key], `${label}: ${spec.env}`).toBe('environment');
  }

  const recorded = recordedConfig(fromFlag, [], command);
  const shown = JSON.stringify(recorded);
  expect(shown, `${label}: no password recorded`).not.toContain('sekret');
  if (spec.record !== undefined) {
    expect(recorded, `${label}: recorded`).toHaveProperty(spec.record.as);
    expect(recorded[spec.record.as], `${label}: recorded value`).not.toBeNull();
  }
}

describe('the option table drives every place an option appears', () => {
  it('every entry reaches yargs, the environment, the sources, the resolved field and (where it says so) the recorded config', async () => {
    const walked = pairs();
    expect(walked.length).toBeGreaterThan(40);
    for (const [spec, command] of walked) await expectDrivenByTable(spec, command);
  }, 120_000);

  describe('a planted entry', () => {
    const planted: OptionSpec = {
      key: 'plantedKnob',
      type: 'string',
      env: 'HOTBENCH_PLANTED_KNOB',
      default: '7ms',
      commands: ['run', 'capacity'],
      parse: durationUs,
      record: { as: 'planted_knob_us' },
      help: 'a knob planted by the test',
    };
    afterEach(() => {
      const table = OPTIONS as unknown as OptionSpec[];
      if (table.at(-1) === planted) table.pop();
    });

    it('is all it takes: flag, environment, default, source and recorded config follow', async () => {
      (OPTIONS as unknown as OptionSpec[]).push(planted);
      await expectDrivenByTable(planted, 'run');
      await expectDrivenByTable(planted, 'capacity');
      const byDefault = await resolveRunConfig({}, {});
      expect(byDefault.sources['plantedKnob']).toBe('default');
      expect(recordedConfig(byDefault, [])['planted_knob_us']).toBe(7_000);
      const fromEnv = await resolveRunConfig({}, { HOTBENCH_PLANTED_KNOB: '2s' });
      expect(recordedConfig(fromEnv, [])['planted_knob_us']).toBe(2_000_000);
      await expect(resolveRunConfig({}, { HOTBENCH_PLANTED_KNOB: '2' })).rejects.toThrow('HOTBENCH_PLANTED_KNOB: "2" has no unit; write e.g. 2s or 2ms.');
      const help = await (runCommand.builder as (y: Argv) => Argv)(yargs([]).wrap(null)).getHelp();
      expect(help).toContain('--planted-knob');
      expect(help).toContain('env HOTBENCH_PLANTED_KNOB; default 7ms');
    });

    it('never reaches a command it does not name', async () => {
      (OPTIONS as unknown as OptionSpec[]).push(planted);
      expect(() => parseWith('blast', ['--planted-knob', '3ms'])).toThrow(/Unknown argument/);
      const blast = await resolveRunConfig({}, {}, 'blast');
      expect(blast.sources['plantedKnob']).toBeUndefined();
      expect(recordedConfig(blast, undefined, 'blast')).not.toHaveProperty('planted_knob_us');
    });
  });
});
