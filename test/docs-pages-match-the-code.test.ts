/**
 * The docs pages that restate what the code defines say the same as the
 * code: the scenario example of docs/scenarios.md is a valid scenario (the
 * schema parses it, and it uses every top-level key the schema has), and
 * docs/strategies.md has one row per registered strategy, no more, no less.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot, parseScenario } from '../scenarios/index.js';
import { scenarioJsonSchemaText } from '../scenarios/write-json-schema.js';
import { BUILTIN_STRATEGIES } from '../strategies/registry.js';

const docs = join(packageRoot(), 'docs');

/** The fenced blocks of `page` tagged `lang`. */
function blocks(page: string, lang: string): string[] {
  const text = readFileSync(join(docs, page), 'utf8');
  return [...text.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

describe('docs/scenarios.md', () => {
  it('shows a scenario the schema accepts, with every top-level key', () => {
    const [example] = blocks('scenarios.md', 'yaml');
    expect(example, 'docs/scenarios.md has no ```yaml block').toBeDefined();
    const scenario = parseScenario(example!, 'docs/scenarios.md');
    expect(scenario.name).toBe('my-scenario');
    const documented = Object.keys(parse(example!) as object);
    const schemaKeys = Object.keys((JSON.parse(scenarioJsonSchemaText()) as { properties: object }).properties).filter((k) => k !== '$schema');
    expect(schemaKeys.filter((k) => !documented.includes(k)), 'keys the example leaves out').toEqual([]);
  });
});

describe('docs/strategies.md', () => {
  it('has a row for every registered strategy and for nothing else', () => {
    const text = readFileSync(join(docs, 'strategies.md'), 'utf8');
    const table = text.slice(text.indexOf('## The table'), text.indexOf('\n## ', text.indexOf('## The table') + 1));
    const rows = [...table.matchAll(/^\| \[?`([a-z-]+)(?:\([a-z]+\))?`/gm)].map((m) => m[1]!);
    expect(rows.sort()).toEqual(BUILTIN_STRATEGIES.map((d) => d.name).sort());
  });
});
