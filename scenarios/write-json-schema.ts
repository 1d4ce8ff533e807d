/**
 * Generates `scenarios/scenario.schema.json` (JSON Schema for editors, e.g.
 * the YAML language server's `# yaml-language-server: $schema=...` line) from
 * the zod schema, the single source of truth. Run after changing schema.ts:
 * `npm run schema` (node dist/scenarios/write-json-schema.js); a test fails
 * when the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { packageRoot } from './library.js';
import { scenarioSchema } from './schema.js';

/** The scenario JSON Schema as text (2-space indented, trailing newline). Describes the input form. */
export function scenarioJsonSchemaText(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' });
  return JSON.stringify({ ...schema, title: 'hotbench scenario' }, null, 2) + '\n';
}

/** Where the generated schema is committed. */
export function scenarioJsonSchemaPath(): string {
  return join(packageRoot(), 'scenarios', 'scenario.schema.json');
}

/** Writes the schema file and returns its path. */
export async function writeScenarioJsonSchema(path = scenarioJsonSchemaPath()): Promise<string> {
  await writeFile(path, scenarioJsonSchemaText());
  return path;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeScenarioJsonSchema().then(
    (path) => process.stdout.write(`wrote ${path}\n`),
    (err: unknown) => {
      process.stderr.write(`write-json-schema: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
