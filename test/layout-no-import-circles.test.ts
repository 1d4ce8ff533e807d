/**
 * The tree's import graph (relative imports of every non-test .ts file,
 * type-only ones included: a type circle still ties two modules together)
 * has no circles, and follows DESIGN's dependency direction:
 * results/ is the bottom layer both the runner and the reports use;
 * reports/ read results, never the runner or a strategy; strategies/ see only
 * their contract, never the runner or the reports; scenarios/ and units/
 * stand alone; inside reports/, common/ imports none of run/, compare/, capacity/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../scenarios/index.js';

/** Folders whose code is walked (tests and fixtures are not: they may import anything). */
const WALKED = ['bench', 'reports', 'results', 'runner', 'scenarios', 'strategies', 'tools', 'units'];

/** Top folder → top folders it must not import. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  results: ['runner', 'reports', 'strategies', 'bench'],
  reports: ['runner', 'strategies', 'bench'],
  strategies: ['runner', 'reports', 'bench'],
  scenarios: ['runner', 'reports', 'results', 'strategies', 'bench'],
  units: ['runner', 'reports', 'results', 'strategies', 'scenarios', 'bench'],
  // inside reports/: common/ is what the run report, compare and capacity share, so it imports none of them
  'reports/common': ['reports/run', 'reports/compare', 'reports/capacity'],
};

/** Non-test .ts files below `dir`, relative to `root`. */
function sources(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The relative imports of `file` (static, `export … from`, dynamic), as files relative to `root`. */
function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    found.push(relative(root, resolve(root, dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
  }
  return found;
}

/** The import graph of the walked folders below `root`. */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of WALKED) for (const file of sources(root, dir)) graph.set(file, importsOf(root, file));
  return graph;
}

/** Every circle, each as the files around it (first file repeated at the end); found by depth-first search. */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return found;
}

/** Imports that go against the dependency direction, as `from → to`. */
export function wrongWay(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const under = (file: string, folder: string): boolean => file === folder || file.startsWith(`${folder}/`);
  const out: string[] = [];
  for (const [file, imports] of graph) {
    for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
      if (!under(file, layer)) continue;
      for (const target of imports) if (forbidden.some((f) => under(target, f))) out.push(`${file} → ${target}`);
    }
  }
  return out;
}

describe('layout', () => {
  const graph = importGraph(packageRoot());

  it('walks the whole tree', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect([...graph.values()].flat().length).toBeGreaterThan(500);
  });

  it('has no import circles', () => {
    expect(circles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('imports only downwards: results/ ← reports/ ← runner/; strategies/, scenarios/, units/ stand apart', () => {
    expect(wrongWay(graph)).toEqual([]);
  });
});
