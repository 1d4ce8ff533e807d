/**
 * The built-in scenario catalog: names and one-line summaries of
 * `scenarios/library/*.yaml`, as `hotbench scenarios` lists them.
 */
import { builtInNames } from './library.js';
import { loadScenario } from './load.js';

export { packageRoot } from './library.js';

/** One built-in scenario as `hotbench scenarios` lists it. */
export interface CatalogEntry {
  /** The name `--scenario` accepts. */
  readonly name: string;
  /** The scenario's one-line description. */
  readonly summary: string;
  /** Absolute path of the YAML file. */
  readonly file: string;
}

/** The built-in scenarios with their descriptions, sorted by name. Throws ScenarioError if one is invalid (a bug). */
export async function listScenarios(): Promise<CatalogEntry[]> {
  const names = await builtInNames();
  const entries: CatalogEntry[] = [];
  for (const name of names) {
    const loaded = await loadScenario(name);
    entries.push({ name, summary: loaded.scenario.description, file: loaded.file });
  }
  return entries;
}
