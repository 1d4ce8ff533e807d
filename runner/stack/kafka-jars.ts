/**
 * The jars of the Apache Kafka that hotbench embeds: resolved once by Maven
 * from `runner/stack/kafka/pom.xml` (which pins the release) into
 * `<data-dir>/kafka/<version>/lib/`, then reused with no network at all.
 * The first fetch prints its progress (files and MB so far) through `log`.
 *
 * Needs Java ≥ 17 on PATH always, and Maven (`mvn`) only for the first fetch;
 * anything missing is one {@link StackError} line saying what and how to fix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { StackError } from './stack-error.js';

/** Oldest Java release Kafka 4.x brokers run on. */
export const MIN_JAVA = 17;
/** Written into the cache folder last: a folder without it is an interrupted fetch. */
const COMPLETE = 'complete';
/** How often the first fetch reports progress, ms. */
const PROGRESS_MS = 3_000;

/** Resolved jars, ready for `java -cp`. */
export interface KafkaJars {
  /** The Apache Kafka release, from the pom, e.g. `4.4.0`. */
  readonly version: string;
  /** Folder holding every jar. */
  readonly libDir: string;
  /** `-cp` argument: `<libDir>/*`. */
  readonly classpath: string;
  /** `java` major release found on PATH, e.g. 17. */
  readonly javaMajor: number;
  /** True when this call fetched them (first run), false when they were cached. */
  readonly fetched: boolean;
}

/** Options for {@link ensureKafkaJars}. */
export interface EnsureKafkaJarsOptions {
  /** hotbench's data folder (`--data-dir`); the cache is `<dataDir>/kafka/<version>/`. Default `.hotbench`. */
  readonly dataDir?: string;
  /** Progress and what was done, one line each. Default: nothing. */
  log?(line: string): void;
}

/** The pom that pins the release: found from this module up to the package root (works from `dist/` and from sources). */
export function kafkaPomPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'runner', 'stack', 'kafka', 'pom.xml');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new StackError('runner/stack/kafka/pom.xml is missing from this hotbench install; reinstall hotbench, or give a broker with --kafka host:9092');
}

/** The release the pom pins (`<kafka.version>`). */
export function pinnedKafkaVersion(pom = kafkaPomPath()): string {
  const version = /<kafka\.version>([0-9][0-9A-Za-z.-]*)<\/kafka\.version>/.exec(readFileSync(pom, 'utf8'))?.[1];
  if (version === undefined) throw new StackError(`${pom} names no <kafka.version>; restore it from git`);
  return version;
}

/** The major release of `java` on PATH; throws a one-line {@link StackError} when absent or older than {@link MIN_JAVA}. */
export function javaMajor(): number {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (out.error !== undefined || out.status !== 0) throw new StackError(`no Java on PATH (Kafka needs Java ≥ ${MIN_JAVA}): install a JDK (e.g. apt-get install openjdk-17-jre-headless)`);
  // `openjdk version "17.0.15"`, `java version "1.8.0_392"`
  const text = /version "([^"]+)"/.exec(`${out.stderr}${out.stdout}`)?.[1] ?? '';
  const parts = text.split('.').map(Number);
  const major = parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
  if (!(major >= MIN_JAVA)) throw new StackError(`Java ${text || '(unknown release)'} on PATH is older than ${MIN_JAVA}, which Kafka 4 needs: install a JDK ≥ ${MIN_JAVA}`);
  return major;
}

/** The cache folder of `version` under `dataDir`. */
export function kafkaCacheDir(dataDir: string, version: string): string {
  return join(resolve(dataDir), 'kafka', version);
}

/**
 * Makes sure the jars of the pinned Kafka are in the cache and returns them.
 * A cached, complete folder is used as is (no Maven, no network). Otherwise
 * Maven resolves the pom into a temporary folder which is renamed into place
 * only when complete, so an interrupted fetch never leaves half a cache.
 */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions = {}): Promise<KafkaJars> {
  const java = javaMajor();
  const pom = kafkaPomPath();
  const version = pinnedKafkaVersion(pom);
  const cache = kafkaCacheDir(options.dataDir ?? '.hotbench', version);
  const libDir = join(cache, 'lib');
  const ready = (fetched: boolean): KafkaJars => ({ version, libDir, classpath: join(libDir, '*'), javaMajor: java, fetched });
  if (existsSync(join(cache, COMPLETE))) return ready(false);

  mkdirSync(cache, { recursive: true });
  const staging = join(cache, `lib.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  options.log?.(`kafka: fetching Apache Kafka ${version} jars through Maven into ${cache} (first run only; ~45 MB)`);
  const started = Date.now();
  await runMaven(pom, version, staging, options.log);
  const jars = readdirSync(staging).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith(`kafka_2.13-${version}`))) {
    rmSync(staging, { recursive: true, force: true });
    throw new StackError(`Maven finished but kafka_2.13-${version}.jar is not among the ${jars.length} jars it copied; run \`mvn -f ${pom} dependency:copy-dependencies\` to see why`);
  }
  // Another process (a parallel test file) may have finished the same fetch meanwhile: use its copy.
  if (existsSync(join(cache, COMPLETE))) {
    rmSync(staging, { recursive: true, force: true });
    return ready(true);
  }
  rmSync(libDir, { recursive: true, force: true }); // an interrupted earlier attempt
  try {
    renameSync(staging, libDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(join(cache, COMPLETE))) return ready(true);
    throw new StackError(`could not move the Kafka jars into ${libDir}: ${(err as Error).message}`);
  }
  writeFileSync(join(cache, COMPLETE), `${jars.length} jars, fetched ${new Date().toISOString()}\n`);
  options.log?.(`kafka: ${jars.length} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ready(true);
}

/** `mvn dependency:copy-dependencies` of the pom into `outDir`, reporting downloads every few seconds. */
function runMaven(pom: string, version: string, outDir: string, log?: (line: string) => void): Promise<void> {
  const args = ['-B', '-f', pom, `-Dkafka.version=${version}`, 'dependency:copy-dependencies', `-DoutputDirectory=${outDir}`, '-DincludeScope=runtime'];
  return new Promise((resolvePromise, reject) => {
    let child;
    try {
      child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new StackError(`Maven could not start: ${(err as Error).message}`));
      return;
    }
    let files = 0;
    let bytes = 0;
    let lastError = '';
    let rest = '';
    const onData = (chunk: Buffer): void => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        // "Downloaded from central: https://.../x.jar (1.2 MB at 3.4 MB/s)"
        const done = /Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|KB|MB)/.exec(line);
        if (done) {
          files += 1;
          bytes += Number(done[1]) * ({ B: 1, kB: 1e3, KB: 1e3, MB: 1e6 } as const)[done[2] as 'B'];
        }
        if (/\[ERROR\]/.test(line) && lastError === '') lastError = stripVTControlCharacters(line).replace(/^\[ERROR\]\s*/, '').trim();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => log?.(`kafka: Maven: ${files} files, ${(bytes / 1e6).toFixed(1)} MB downloaded so far`), PROGRESS_MS);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearInterval(timer);
      reject(new StackError(err.code === 'ENOENT' ? 'Maven (mvn) is not on PATH, and the Kafka jars are not cached yet: install Maven (e.g. apt-get install maven) once' : `Maven could not start: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearInterval(timer);
      if (code === 0) {
        log?.(`kafka: Maven: ${files} files, ${(bytes / 1e6).toFixed(1)} MB downloaded`);
        resolvePromise();
      } else {
        rmSync(outDir, { recursive: true, force: true });
        reject(new StackError(`Maven could not resolve Apache Kafka ${version} (exit ${code}): ${lastError.slice(0, 300) || 'no error line'}; is Maven Central reachable?`));
      }
    });
  });
}
