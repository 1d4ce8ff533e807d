/**
 * Where the built-in scenario library lives: `scenarios/library/*.yaml` under
 * the package root, found from source (vitest) and from compiled
 * `dist/scenarios/*.js` alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The repository / package root: the nearest ancestor of this module holding
 * a package.json named `hotbench`. Cached after the first call.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === 'hotbench') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the hotbench package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

/** Folder of the built-in scenarios. */
export function libraryDir(): string {
  return join(packageRoot(), 'scenarios', 'library');
}

/** Names of the built-in scenarios, sorted (file names without `.yaml`). */
export async function builtInNames(): Promise<string[]> {
  const entries = await readdir(libraryDir()).catch(() => [] as string[]);
  return entries.filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
}
