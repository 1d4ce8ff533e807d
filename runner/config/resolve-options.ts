/**
 * Reads every option of the table (./options.ts) the same way: the highest
 * layer that gives a value, parsed by the option's parser, with the layer
 * kept as its source (for `--dry-run --json` and the recorded config).
 *
 * Precedence, lowest to highest:
 *   default (the command's own, else the table's) < scenario file (options
 *   with `layer: 'scenario'`) < --stack preset (`layer: 'stack'`) <
 *   environment < flag.
 */
import type { StackPreset } from '../stack/compose.js';
import type { RawValue } from './option-parsers.js';
import { commandDefault, envValue, fieldOf, flagOf, OPTION_SPECS, type OptionCommand, type OptionKey, type OptionSpec, type RunOptions } from './options.js';

/** Where a resolved value came from. */
export type Source = 'default' | 'scenario' | 'stack' | 'environment' | 'flag';

/** The layers an option may be read from. */
export interface OptionLayers {
  readonly flags: RunOptions;
  readonly env: NodeJS.ProcessEnv;
  /** Whose defaults apply and whose sources are reported. */
  readonly command: OptionCommand;
  /** The scenario file's top-level fields (read only by options with `layer: 'scenario'`). */
  readonly scenario?: Readonly<Record<string, unknown>>;
  /** The `--stack` preset's parts (read only by options with `layer: 'stack'`). */
  readonly stack?: StackPreset;
}

/** One option's value and the layer it came from (no source when nothing gave it). */
export interface OptionReading {
  readonly value: unknown;
  readonly source: Source | undefined;
}

/** Reads `spec` from `layers`: the highest layer whose value parses to something; the option's `absent` when none does. */
export function readOption(spec: OptionSpec, layers: OptionLayers): OptionReading {
  const key = spec.key as OptionKey;
  const env = spec.env === undefined ? undefined : envValue(layers.env, key);
  const given: [Source, unknown, string][] = [
    ['flag', (layers.flags as Record<string, unknown>)[key], flagOf(key)],
    ['environment', env, spec.env ?? flagOf(key)],
    ['stack', spec.layer === 'stack' ? (layers.stack as Record<string, unknown> | undefined)?.[key] : undefined, `--stack's ${flagOf(key)}`],
    ['scenario', spec.layer === 'scenario' ? layers.scenario?.[key] : undefined, `the scenario's ${key}`],
    ['default', commandDefault(spec, layers.command), `the default ${flagOf(key)}`],
  ];
  for (const [source, raw, where] of given) {
    if (raw === undefined) continue;
    const value = spec.parse(raw as RawValue, where);
    if (value !== undefined) return { value, source }; // parsed to nothing (a blank URL): the next layer may give it

  }
  return { value: spec.absent, source: undefined };
}

/** Every option's value under its field, and the sources of the options `layers.command` takes (keyed by option key). */
export function resolveOptions(layers: OptionLayers): { values: Record<string, unknown>; sources: Record<string, Source> } {
  const values: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const spec of OPTION_SPECS) {
    const { value, source } = readOption(spec, layers);
    values[fieldOf(spec)] = value;
    if (source !== undefined && spec.commands.includes(layers.command)) sources[spec.key] = source;
  }
  return { values, sources };
}

/** The recorded options of `command`, by their recorded name: URLs masked by their `write`, `absent` (else null) where there is no value. */
export function recordedOptions(config: Readonly<Record<string, unknown>>, command: OptionCommand): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    if (spec.record === undefined || !spec.commands.includes(command)) continue;
    const value = config[fieldOf(spec)];
    out[spec.record.as] = value === undefined ? (spec.record.absent ?? null) : spec.record.write ? spec.record.write(value) : value;
  }
  return out;
}
