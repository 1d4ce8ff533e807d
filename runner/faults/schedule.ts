/**
 * Fires a replay's `--fault`s at their schedule times and records them.
 *
 * Each fault becomes an event (type `note`, kind `fault`) at the moment it
 * was fired, whose detail says what was done ("restarted the redis-server
 * hotbench started ...", "skipped: ... does not use redis"). Then its
 * recovery is watched (see `recovery.ts`) and recorded as a `fault_recovered`
 * note plus a `fault_recovery_us` sample, or a `fault_unrecovered` note when
 * the schedule ended first. A fault whose time lies beyond the schedule is
 * recorded as not injected. Faults never throw into the replay.
 */
import { isFaultTarget, type Clock, type EventSink, type Need, type Strategy } from '../../strategies/contract.js';
import { oneLine } from '../errors.js';
import type { PortProviders, PortRequest } from '../stack/needs.js';
import { RecoveryWatch, type DriverCounts } from './recovery.js';
import type { FaultSpec } from './spec.js';
import { isStackFaultTarget, type StackFaultTarget } from './target.js';

/** What {@link startFaults} needs. */
export interface FaultScheduleArgs {
  readonly faults: readonly FaultSpec[];
  /** The replay's schedule clock (0 = first intended send). */
  readonly clock: Clock;
  readonly strategy: Strategy;
  /** The strategy's needs: a stack fault on a part it does not use is skipped. */
  readonly needs: readonly Need[];
  readonly providers: PortProviders;
  /** The ledger's PostgreSQL as a fault target (`postgres:restart`); absent ⇒ such faults are skipped. */
  readonly postgres?: StackFaultTarget;
  readonly request: PortRequest;
  /** Where the fault events and samples go (the replay's recorder). */
  readonly events: EventSink;
  /** The driver's live counters, for the recovery watch; without it recovery is not measured. */
  readonly counts?: () => DriverCounts;
  log(line: string): void;
}

/** A running schedule. */
export interface FaultSchedule {
  /** Cancels faults not yet fired, waits for one being injected, closes the recovery watches. */
  stop(): Promise<void>;
}

/** Starts the timers. Call right after the schedule clock started. */
export function startFaults(args: FaultScheduleArgs): FaultSchedule {
  const timers: NodeJS.Timeout[] = [];
  const running: Promise<void>[] = [];
  const watches: RecoveryWatch[] = [];
  const fired = new Set<FaultSpec>();
  // A timer may fire a little before its time on the µs clock (libuv's cached loop time, ms rounding):
  // re-arm for the rest, so a fault never lands before its @time.
  const arm = (fault: FaultSpec): void => {
    const delayMs = Math.max(0, Math.ceil((fault.atUs - args.clock.now()) / 1_000));
    timers.push(
      setTimeout(() => {
        if (args.clock.now() < fault.atUs) return arm(fault);
        fired.add(fault);
        running.push(fire(fault, args, watches));
      }, delayMs),
    );
  };
  for (const fault of args.faults) arm(fault);
  return {
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(running);
      const at = args.clock.now();
      for (const fault of args.faults) {
        if (!fired.has(fault)) args.events.note('fault', `${fault.text}: not injected: the schedule ended at ${(at / 1e6).toFixed(1)} s`, at);
      }
      for (const w of watches) w.close();
    },
  };
}

async function fire(fault: FaultSpec, args: FaultScheduleArgs, watches: RecoveryWatch[]): Promise<void> {
  const at = args.clock.now();
  const before = args.counts?.();
  let detail: string;
  let injected = false;
  try {
    if (fault.target === 'stack') {
      const need = fault.part as Need;
      const provider = need === 'postgres' ? args.postgres : args.providers.get(need as Exclude<Need, 'postgres'>);
      if (!args.needs.includes(need)) detail = `skipped: this strategy does not use ${fault.part}`;
      else if (!isStackFaultTarget(provider) || !provider.stackFaults.includes(fault.action)) detail = `skipped: ${fault.part} cannot ${fault.action}`;
      else {
        detail = await provider.injectStackFault(fault.action, args.request);
        injected = true;
      }
    } else if (isFaultTarget(args.strategy) && args.strategy.faults.includes(fault.kind)) {
      await args.strategy.inject(fault.kind);
      detail = `injected into the strategy (took ${Math.round((args.clock.now() - at) / 1_000)} ms)`;
      injected = true;
    } else {
      detail = `skipped: this strategy has no ${fault.part} to ${fault.action} (it does not offer ${fault.kind})`;
    }
  } catch (err) {
    detail = `failed: ${oneLine(err)}`;
  }
  args.events.note('fault', `${fault.text}: ${detail}`, at);
  args.log(`fault ${fault.text} at ${(at / 1e6).toFixed(2)} s: ${detail}`);
  if (injected && args.counts && before) watches.push(new RecoveryWatch(fault, at, before, args.clock, args.counts, args.events));
}
