/**
 * docs/metrics.md lists every metric of the catalog under its one name, with
 * the catalog's unit: a metric added or renamed in reports/common/metrics.ts
 * without its line in the docs fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { METRICS } from '../reports/common/metrics.js';
import { packageRoot } from '../scenarios/index.js';

it('has a row per catalog metric with its unit', () => {
  const text = readFileSync(join(packageRoot(), 'docs', 'metrics.md'), 'utf8');
  for (const m of METRICS) expect(text, m.name).toContain(`| \`${m.name}\` | ${m.unit} |`);
});
