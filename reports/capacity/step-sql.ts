/**
 * How the load driver fared in each replay of a run, from the op rows: the
 * strategy's own service time (acked − sent, where the run report's latency
 * is acked − intended), how late ops were sent (sent − intended), the most
 * ops in flight at once, and how many ops were acked vs intended over the
 * last three quarters of the schedule (did the strategy keep up). The capacity
 * report uses them to tell a strategy that broke from a harness that could
 * not offer the load. Portable to ClickHouse 18.16 (no window functions: the
 * in-flight count is a cumulative sum over the sorted send/ack events).
 */
import type { Store } from '../../results/store.js';
import { replayKeyOf } from '../../results/rows.js';
import type { DriverFacts } from './slo.js';

interface Row {
  readonly strategy: string;
  readonly rep: number;
  readonly served: number;
  readonly service_q: readonly number[];
  readonly service_max: number;
  readonly max_in_flight: number;
  readonly sent: number;
  readonly send_delay_p99: number;
  readonly steady_intended: number;
  readonly steady_acked: number;
}

/** Driver facts per replay of `runId` (only of the replay labelled `label` when given), keyed `<rep>\u0000<strategy label>`. */
export async function selectDriverFacts(store: Store, runId: string, label = ''): Promise<Map<string, DriverFacts>> {
  const rows = await store.query<Row>(
    `SELECT strategy, rep,
       countIf(acked_us >= 0 AND sent_us >= 0) AS served,
       quantilesExactIf(0.5, 0.9, 0.99, 0.999)(acked_us - sent_us, acked_us >= 0 AND sent_us >= 0) AS service_q,
       maxIf(acked_us - sent_us, acked_us >= 0 AND sent_us >= 0) AS service_max,
       countIf(sent_us >= 0) AS sent,
       quantileExactIf(0.99)(sent_us - intended_us, sent_us >= 0) AS send_delay_p99,
       max(intended_us) AS t_end,
       arrayCount(x -> x >= t_end / 4 AND x < t_end, groupArray(intended_us)) AS steady_intended,
       arrayCount(x -> x >= t_end / 4 AND x < t_end, groupArrayIf(acked_us, status IN ('applied', 'accepted') AND acked_us >= 0)) AS steady_acked,
       arrayReduce('max', arrayCumSum(arrayMap(e -> e.2, arraySort(arrayConcat(
         groupArrayIf((sent_us, toInt8(1)), sent_us >= 0),
         groupArrayIf((acked_us, toInt8(-1)), sent_us >= 0 AND acked_us >= 0)))))) AS max_in_flight
     FROM ops
     WHERE run_id = {run:String} AND ({label:String} = '' OR strategy = {label:String})
     GROUP BY strategy, rep`,
    { run: runId, label },
  );
  const out = new Map<string, DriverFacts>();
  for (const r of rows) {
    const q = r.service_q;
    out.set(driverKey(r.rep, r.strategy), {
      service_us: r.served > 0 ? { p50: q[0]!, p90: q[1]!, p99: q[2]!, p999: q[3]!, max: r.service_max } : null,
      max_in_flight: r.max_in_flight,
      send_delay_p99_us: r.sent > 0 ? r.send_delay_p99 : null,
      steady: r.steady_intended > 0 ? { intended: r.steady_intended, acked: r.steady_acked } : null,
    });
  }
  return out;
}

/** The key of {@link selectDriverFacts}' map. */
export function driverKey(rep: number, strategy: string): string {
  return replayKeyOf({ rep, strategy });
}
