/**
 * The committed JSON Schema for editors is exactly what the zod schema
 * generates (regenerate with `npm run schema` when this fails), and it keeps
 * the strictness of the zod schema.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchemaPath, scenarioJsonSchemaText } from '../scenarios/write-json-schema.js';

describe('scenario JSON Schema', () => {
  it('is up to date with scenarios/schema.ts', () => {
    expect(readFileSync(scenarioJsonSchemaPath(), 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('rejects unknown keys and documents every field', () => {
    const schema = JSON.parse(scenarioJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'description', 'accounts', 'phases', 'mix']);
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== 'object') return;
      const n = node as { properties?: Record<string, { description?: string; anyOf?: unknown[]; oneOf?: unknown[] }>; items?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
      for (const [key, child] of Object.entries(n.properties ?? {})) {
        const isTag = (child as { const?: unknown }).const !== undefined;
        if (!isTag && child.description === undefined) undocumented.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
      if (n.items !== undefined) walk(n.items, `${path}[]`);
      for (const option of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) walk(option, path);
    };
    walk(schema, '');
    expect(undocumented).toEqual([]);
  });
});
