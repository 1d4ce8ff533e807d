/**
 * `hotbench serve`: one strategy behind the billing HTTP API (runner/http/api.md)
 * until Ctrl-C. Prints its base URL on stdout (alone on a line, for scripts);
 * everything else goes to stderr.
 */
import type { Argv, CommandModule } from 'yargs';
import { builtinRegistry } from '../../../strategies/registry.js';
import { resolveRunConfig, type RunOptions } from '../../config/run-config.js';
import { UserError } from '../../errors.js';
import { runChildHost } from '../../http/child-host.js';
import { startServe } from '../../http/serve.js';
import { installSignalHandlers, interrupted } from '../../stack/lifecycle.js';
import { print, say } from '../output.js';

interface ServeArgs {
  strategy?: string;
  scenario?: string;
  seed?: number;
  duration?: string;
  rateScale?: number;
  port?: number;
  host?: string;
  pg?: string;
  pgReplica?: string;
  redis?: string;
  kafka?: string;
  connections?: number;
  stack?: string;
  maxOpId?: number;
  keepDatabase?: boolean;
  ipc?: boolean;
}

/** Default port of `hotbench serve`. */
export const DEFAULT_SERVE_PORT = 8080;

/** The yargs command `hotbench serve`. */
export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'serve one strategy behind a small billing HTTP API (POST /v1/charge ...), for `blast` or your own client',
  builder: (y) =>
    y
      .option('strategy', { type: 'string', describe: 'the strategy to serve, with parameters, e.g. row-lock or aggregate:window=10ms (see hotbench strategies)' })
      .option('scenario', { type: 'string', describe: 'whose accounts (ids, balances, floors) seed the ledger: built-in name or YAML file [env HOTBENCH_SCENARIO; default advertiser-burst]' })
      .option('seed', { type: 'number', describe: "the scenario's seed [env HOTBENCH_SEED; default: the scenario's]" })
      .option('duration', { type: 'string', describe: 'scale the accounts\' budgets as a run of this length would (e.g. 10s) [env HOTBENCH_DURATION; default: the scenario\'s]' })
      .option('rate-scale', { type: 'number', describe: 'scale the budgets as a run at this rate factor would [env HOTBENCH_RATE_SCALE; default 1]' })
      .option('port', { type: 'number', describe: `TCP port; 0 picks a free one [default ${DEFAULT_SERVE_PORT}]` })
      .option('host', { type: 'string', describe: 'address to listen on [default 127.0.0.1: this machine only]' })
      .option('pg', { type: 'string', describe: 'external PostgreSQL URL; the ledger gets a fresh database on it [env PG_URL; default: embedded PostgreSQL]' })
      .option('pg-replica', { type: 'string', describe: 'streaming replica of --pg (read-write-split) [env PG_REPLICA_URL]' })
      .option('redis', { type: 'string', describe: 'Redis URL for strategies that need it [env REDIS_URL; default redis://127.0.0.1:6379 if reachable]' })
      .option('kafka', { type: 'string', describe: 'Kafka brokers host:port[,host:port] [env KAFKA_BROKERS]' })
      .option('connections', { type: 'number', describe: 'PostgreSQL pool size [env HOTBENCH_CONNECTIONS; default 16]' })
      .option('stack', { type: 'string', describe: 'use the docker-compose.yml services for every part not given otherwise: compose [env HOTBENCH_STACK]' })
      .option('max-op-id', { type: 'number', describe: 'largest op_id accepted [default 99999999]' })
      .option('keep-database', { type: 'boolean', describe: 'keep the ledger database after stopping (external PostgreSQL only), for inspection' })
      .option('ipc', { type: 'boolean', hidden: true, describe: 'started by `run --via http`: take the set-up from the parent process' }) as unknown as Argv<ServeArgs>,
  handler: async (argv) => {
    if (argv.ipc) {
      process.exitCode = await runChildHost();
      return;
    }
    const options: Record<string, unknown> = {
      strategies: argv.strategy,
      scenario: argv.scenario,
      seed: argv.seed,
      duration: argv.duration,
      rateScale: argv.rateScale,
      pg: argv.pg,
      pgReplica: argv.pgReplica,
      redis: argv.redis,
      kafka: argv.kafka,
      connections: argv.connections,
      stack: argv.stack,
    };
    const config = await resolveRunConfig(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RunOptions);
    if (config.strategies === undefined) throw new UserError('serve: name the strategy to serve with --strategy, e.g. --strategy row-lock (see `hotbench strategies`).');
    const port = argv.port ?? DEFAULT_SERVE_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UserError(`--port: ${port} is not a TCP port; give 0 to 65535 (0 picks a free one).`);
    if (argv.maxOpId !== undefined && (!Number.isSafeInteger(argv.maxOpId) || argv.maxOpId < 0)) throw new UserError(`--max-op-id: ${argv.maxOpId} is not a non-negative integer.`);

    installSignalHandlers((signal) => say(`\n${signal}: stopping: answering requests in flight, draining the strategy (press Ctrl-C again to quit at once)`));
    const handle = await startServe(config, {
      registry: builtinRegistry(),
      port,
      host: argv.host ?? '127.0.0.1',
      keepDatabase: argv.keepDatabase === true,
      ...(argv.maxOpId !== undefined ? { maxOpId: argv.maxOpId } : {}),
      log: say,
    });
    print(handle.url);
    const accounts = config.plan.accounts.length;
    say(`serving ${handle.label} [${handle.backend}] at ${handle.url}: accounts 0..${accounts - 1} from scenario ${config.plan.name}; ledger database ${handle.database} on ${handle.ledger}. Ctrl-C to stop.`);
    await new Promise<void>((resolve) => (interrupted.aborted ? resolve() : interrupted.addEventListener('abort', () => resolve(), { once: true })));
    const counts = handle.hosted.server.counts();
    await handle.close();
    say(`stopped: ${counts.submitted} ops submitted, ${counts.refused} requests refused, ${handle.events.posted} deferred postings; database ${handle.database} ${argv.keepDatabase && !handle.ledger.startsWith('embedded') ? 'kept' : 'dropped'}.`);
  },
};
