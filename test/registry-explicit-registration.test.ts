/** The registry holds exactly what was registered, refuses duplicates, and names the known ones. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StrategyDefinition } from '../strategies/contract.js';
import { atomic } from '../strategies/atomic/index.js';
import { builtinRegistry, RegistryError, StrategyRegistry } from '../strategies/registry.js';
import { packageRoot } from '../scenarios/index.js';

const stub = (name: string): StrategyDefinition<object> => ({
  name,
  summary: 's',
  source: 't',
  needs: ['postgres'],
  params: z.object({}),
  create: () => {
    throw new Error('not used');
  },
});

describe('strategy registry', () => {
  it('builtinRegistry holds exactly the strategy folders, each with the same file set (code, params, README, a test of its own)', () => {
    // The folders are the truth: a strategy written but not registered, or registered without its files, fails here.
    const root = join(packageRoot(), 'strategies');
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'index.ts')))
      .map((e) => e.name)
      .sort();
    expect(folders.length).toBeGreaterThanOrEqual(11); // the strategies of DESIGN.md §4
    expect(builtinRegistry().names()).toEqual(folders);
    for (const name of folders) {
      const files = readdirSync(join(root, name));
      expect(files, name).toEqual(expect.arrayContaining(['index.ts', 'params.ts', 'README.md']));
      expect(files.some((f) => f.endsWith('.test.ts')), `${name} has a test of its own`).toBe(true);
    }
  });

  it('every strategy but a composite keeps a PostgreSQL ledger; a composite needs only what its inner strategy needs', () => {
    for (const d of builtinRegistry().list()) {
      if (d.composite) expect(d.needs).toEqual([]);
      else expect(d.needs).toContain('postgres');
    }
    expect(builtinRegistry().list().filter((d) => d.composite).map((d) => d.name)).toEqual(['rate-limit', 'sharded']);
  });

  it('each builtinRegistry() is independent: registering in one leaves the next untouched', () => {
    const a = builtinRegistry().register(stub('extra'));
    expect(a.has('extra')).toBe(true);
    expect(builtinRegistry().has('extra')).toBe(false);
  });

  it('throws on a duplicate name', () => {
    const r = new StrategyRegistry().register(atomic);
    expect(() => r.register(atomic)).toThrow(new RegistryError("strategy 'atomic' is registered twice"));
    expect(() => r.register(stub('atomic'))).toThrow(RegistryError);
  });

  it('get names the known strategies when the name is unknown', () => {
    const r = new StrategyRegistry().register(stub('b-two')).register(stub('a-one'));
    expect(r.get('a-one').name).toBe('a-one');
    expect(() => r.get('c')).toThrow("unknown strategy 'c'; known strategies: a-one, b-two");
  });

  it('refuses names that are not lowercase kebab-case', () => {
    for (const bad of ['Row-lock', 'row_lock', 'row-', '-row', '9row', 'row--lock']) {
      expect(() => new StrategyRegistry().register(stub(bad))).toThrow(`strategy name '${bad}' must be lowercase kebab-case (e.g. row-lock)`);
    }
  });
});
