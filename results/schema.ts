/**
 * The ClickHouse DDL for every table of `./rows.ts`, derived from one column
 * list per table. The lists are typed against the row interfaces, so a field
 * added to or removed from `rows.ts` without its column is a compile error;
 * `test/store-schema-matches-rows.test.ts` checks the created tables against
 * the same lists on both backends.
 *
 * Portable to ClickHouse 18.16: plain types, `ENGINE = MergeTree ORDER BY`.
 */
import type { RowOf, TableName } from './rows.js';
import { TABLES, WAIT } from './rows.js';
import { StoreError } from './errors.js';

/** The column types hotbench uses. */
export type ColumnType = 'String' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64' | 'Int64' | 'Float64' | 'DateTime';

/** Exactly one column type per field of a row interface, in column order. */
export type Columns<Row> = { readonly [K in keyof Row]-?: ColumnType };

// DateTime columns are declared `DateTime('UTC')` in the DDL (see `sqlType`):
// rows carry UTC wall-clock strings, and without a zone the server's own zone
// would silently reinterpret them.
const runs: Columns<RowOf['runs']> = {
  run_id: 'String',
  started_at: 'DateTime',
  scenario: 'String',
  scenario_file: 'String',
  seed: 'Int64',
  stream_sha256: 'String',
  planned_ops: 'UInt64',
  schedule_us: 'Int64',
  config_json: 'String',
  git_rev: 'String',
  git_branch: 'String',
  hotbench_version: 'String',
  pg_version: 'String',
  clickhouse_version: 'String',
  redis_version: 'String',
  node_version: 'String',
  host_name: 'String',
  host_cores: 'UInt32',
  host_mem_bytes: 'UInt64',
  command: 'String',
};

const run_ends: Columns<RowOf['run_ends']> = {
  run_id: 'String',
  finished_at: 'DateTime',
  status: 'String',
  reason: 'String',
};

const strategy_runs: Columns<RowOf['strategy_runs']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  idx: 'UInt32',
  name: 'String',
  backend: 'String',
  params_json: 'String',
  status: 'String',
  detail: 'String',
  started_at: 'DateTime',
  schedule_us: 'Int64',
  elapsed_us: 'Int64',
  planned_ops: 'UInt64',
  sent_ops: 'UInt64',
  late_ops: 'UInt64',
  late_threshold_us: 'Int64',
  concurrency: 'UInt32',
  audited: 'UInt8',
  conservation_ok: 'UInt8',
  accounts_checked: 'UInt64',
};

const ops: Columns<RowOf['ops']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  op_id: 'UInt64',
  kind: 'String',
  account: 'Int64',
  amount: 'Int64',
  job: 'Int64',
  intended_us: 'Int64',
  sent_us: 'Int64',
  acked_us: 'Int64',
  status: 'String',
  reason: 'String',
  lock_wait_us: 'Int64',
  attempts: 'UInt32',
  balance: 'Int64',
  detail: 'String',
  pool_wait_us: 'Int64',
  queue_us: 'Int64',
};

const postings: Columns<RowOf['postings']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  op_id: 'UInt64',
  intended_us: 'Int64',
  posted_us: 'Int64',
};

const samples: Columns<RowOf['samples']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  t_us: 'Int64',
  name: 'String',
  value: 'Float64',
};

const incidents: Columns<RowOf['incidents']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  kind: 'String',
  op_id: 'Int64',
  account: 'Int64',
  amount: 'Int64',
  at_us: 'Int64',
  detail: 'String',
};

const events: Columns<RowOf['events']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  at_us: 'Int64',
  type: 'String',
  kind: 'String',
  account: 'Int64',
  detail: 'String',
};

const shard_runs: Columns<RowOf['shard_runs']> = {
  run_id: 'String',
  strategy: 'String',
  rep: 'UInt32',
  idx: 'UInt32',
  shard: 'UInt32',
  shards: 'UInt32',
  status: 'String',
  detail: 'String',
  name: 'String',
  backend: 'String',
  params_json: 'String',
  host_name: 'String',
  pid: 'UInt32',
  written_at: 'DateTime',
  start_at_ms: 'Int64',
  schedule_us: 'Int64',
  elapsed_us: 'Int64',
  planned_ops: 'UInt64',
  shard_ops: 'UInt64',
  sent_ops: 'UInt64',
  late_ops: 'UInt64',
  late_threshold_us: 'Int64',
  concurrency: 'UInt32',
  stream_sha256: 'String',
  shard_sha256: 'String',
  run_json: 'String',
};

const sweep_cells: Columns<RowOf['sweep_cells']> = {
  sweep_id: 'String',
  cell: 'UInt32',
  cells: 'UInt32',
  run_id: 'String',
  strategy: 'String',
  rate_scale: 'Float64',
  connections: 'UInt32',
  status: 'String',
  written_at: 'DateTime',
};

/** Column name → type for every table, in column order. */
export const COLUMNS: { readonly [T in TableName]: Columns<RowOf[T]> } = {
  runs,
  run_ends,
  strategy_runs,
  ops,
  postings,
  samples,
  incidents,
  events,
  shard_runs,
  sweep_cells,
};

/** The sorting key of each table: run first, so every report query reads one run's range. */
export const ORDER_BY: { readonly [T in TableName]: readonly (keyof RowOf[T])[] } = {
  runs: ['run_id'],
  run_ends: ['run_id'],
  strategy_runs: ['run_id', 'strategy', 'rep'],
  ops: ['run_id', 'strategy', 'rep', 'op_id'],
  postings: ['run_id', 'strategy', 'rep', 'op_id'],
  samples: ['run_id', 'strategy', 'rep', 'name', 't_us'],
  incidents: ['run_id', 'strategy', 'rep', 'kind', 'at_us'],
  events: ['run_id', 'strategy', 'rep', 'at_us'],
  shard_runs: ['run_id', 'rep', 'idx', 'shard'],
  sweep_cells: ['sweep_id', 'cell'],
};

/** The ClickHouse type written in the DDL (and reported by `DESCRIBE TABLE`) for a column type. */
export function sqlType(type: ColumnType): string {
  return type === 'DateTime' ? "DateTime('UTC')" : type;
}

/** `[name, type]` pairs of a table, in column order. */
export function columnsOf(table: TableName): readonly (readonly [string, ColumnType])[] {
  return Object.entries(COLUMNS[table]) as [string, ColumnType][];
}

const NAMES = new Map<TableName, readonly string[]>();

/** Column names of `table`, in schema order: the column list of a TabSeparated insert. */
export function columnNamesOf(table: TableName): readonly string[] {
  let names = NAMES.get(table);
  if (names === undefined) NAMES.set(table, (names = columnsOf(table).map(([name]) => name)));
  return names;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Validates a database name (it reaches SQL as an identifier). Throws a {@link StoreError} otherwise. */
export function checkDatabaseName(database: string): string {
  if (!IDENTIFIER.test(database)) {
    throw new StoreError(`ClickHouse database name ${JSON.stringify(database)} is not valid: use letters, digits and _ (not first), at most 63 characters.`);
  }
  return database;
}

/** `CREATE TABLE IF NOT EXISTS db.table (...)` for one table. */
export function createTableSql(database: string, table: TableName): string {
  const cols = columnsOf(table).map(([name, type]) => `  ${name} ${sqlType(type)}`);
  const key = ORDER_BY[table].map(String).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${checkDatabaseName(database)}.${table}\n(\n${cols.join(',\n')}\n)\nENGINE = MergeTree ORDER BY (${key})`;
}


/**
 * Columns added to a table after it was first released, with the value rows
 * written before them read as (`ALTER TABLE ... ADD COLUMN ... DEFAULT
 * value`, run by `migrate` on stores that lack them). Each must be last in
 * its table's column list, in this order, so a migrated table and a new one
 * match. On 18.16 a WHERE that tests two such columns of an older part fails
 * ("Column '-1' already exists", its PREWHERE of two defaults): test them in
 * `-If` aggregates, as the reports do.
 */
export const ADDED_COLUMNS: readonly { readonly table: TableName; readonly column: string; readonly value: number }[] = [
  { table: 'ops', column: 'pool_wait_us', value: WAIT.notMeasured },
  { table: 'ops', column: 'queue_us', value: WAIT.notMeasured },
];

/** `SELECT table, name FROM system.columns` of the database: what {@link addedColumnsSql} compares against. */
export function presentColumnsSql(database: string): string {
  return `SELECT table, name FROM system.columns WHERE database = '${checkDatabaseName(database)}'`;
}

/**
 * The `ALTER TABLE ... ADD COLUMN` statements that bring tables created
 * before {@link ADDED_COLUMNS} up to date, given the columns present
 * (`table.column`). ClickHouse 18.16 has no `ADD COLUMN IF NOT EXISTS`, hence
 * the explicit comparison.
 */
export function addedColumnsSql(database: string, present: ReadonlySet<string>): string[] {
  return ADDED_COLUMNS.filter((c) => !present.has(`${c.table}.${c.column}`)).map(
    (c) => `ALTER TABLE ${checkDatabaseName(database)}.${c.table} ADD COLUMN ${c.column} ${sqlType((COLUMNS[c.table] as Readonly<Record<string, ColumnType>>)[c.column] ?? 'String')} DEFAULT ${c.value}`,
  );
}

/** Every statement `migrate` runs, in order: the database, then each table. Idempotent. */
export function migrationSql(database: string): string[] {
  return [`CREATE DATABASE IF NOT EXISTS ${checkDatabaseName(database)}`, ...TABLES.map((t) => createTableSql(database, t))];
}
