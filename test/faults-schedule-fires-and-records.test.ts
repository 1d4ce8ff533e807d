/**
 * The fault schedule fires each fault at its schedule time into the right
 * target (a stack provider or the strategy), records a `fault` note saying
 * what was done or why it was skipped, records recovery by the documented
 * rule (served ≥ 90% of offered over the last window), and records faults
 * the schedule never reached as not injected.
 */
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../strategies/contract.js';
import { startFaults } from '../runner/faults/schedule.js';
import { parseFaults } from '../runner/faults/spec.js';
import type { DriverCounts } from '../runner/faults/recovery.js';
import { PortProviders, type PortRequest } from '../runner/stack/needs.js';
import { MemoryEvents, TestClock } from './support/context.js';

const request: PortRequest = { namespace: 'hbt_sched', database: { name: '', url: '', drop: async () => {} } };

class Consumers implements Strategy {
  readonly backend = 'none';
  readonly faults = ['consumer:kill'];
  readonly injected: number[] = [];
  constructor(private readonly clock: TestClock) {}
  async inject(): Promise<void> {
    this.injected.push(this.clock.now());
  }
  async setup(): Promise<void> {}
  async submit(): Promise<never> {
    throw new Error('unused');
  }
  async drain(): Promise<void> {}
  async stop(): Promise<void> {}
}

function providersWithRedis(calls: string[]): PortProviders {
  const providers = new PortProviders();
  providers.set('redis', {
    description: 'fake',
    version: '0',
    provide: async () => ({}),
    stackFaults: ['restart'],
    injectStackFault: async (action: string, r: PortRequest) => {
      calls.push(`${action}:${r.namespace}`);
      return 'deleted 3 keys';
    },
  } as never);
  return providers;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fault schedule', () => {
  it('fires each fault at its time into its target and records what happened', async () => {
    const clock = new TestClock();
    const events = new MemoryEvents();
    const strategy = new Consumers(clock);
    const calls: string[] = [];
    const schedule = startFaults({
      faults: parseFaults(['consumer:kill@150ms', 'redis:restart@50ms', 'redis:restart@5s']),
      clock,
      strategy,
      needs: ['postgres', 'redis'],
      providers: providersWithRedis(calls),
      request,
      events,
      log: () => {},
    });
    await sleep(400);
    await schedule.stop();
    expect(calls).toEqual(['restart:hbt_sched']);
    expect(strategy.injected).toHaveLength(1);
    expect(strategy.injected[0]).toBeGreaterThanOrEqual(150_000);
    const faults = events.notes.filter((n) => n.kind === 'fault');
    expect(faults.map((n) => n.detail.replace(/took \d+ ms/, 'took N ms'))).toEqual([
      'redis:restart@50ms: deleted 3 keys',
      'consumer:kill@150ms: injected into the strategy (took N ms)',
      expect.stringMatching(/^redis:restart@5s: not injected: the schedule ended at 0\.\d s$/),
    ]);
    expect(faults[0]!.at).toBeGreaterThanOrEqual(50_000);
    expect(faults[0]!.at).toBeLessThan(150_000);
    expect(faults[1]!.at).toBeGreaterThanOrEqual(150_000);
  });

  it('skips a stack fault on a part the strategy does not use, and a strategy fault it does not offer', async () => {
    const clock = new TestClock();
    const events = new MemoryEvents();
    const calls: string[] = [];
    const plain: Strategy = { backend: 'postgres', setup: async () => {}, submit: async () => ({ status: 'applied' }), drain: async () => {}, stop: async () => {} };
    const schedule = startFaults({ faults: parseFaults('redis:restart@10ms,consumer:kill@20ms'), clock, strategy: plain, needs: ['postgres'], providers: providersWithRedis(calls), request, events, log: () => {} });
    await sleep(120);
    await schedule.stop();
    expect(calls).toEqual([]);
    expect(events.notes.map((n) => n.detail)).toEqual([
      'redis:restart@10ms: skipped: this strategy does not use redis',
      'consumer:kill@20ms: skipped: this strategy has no consumer to kill (it does not offer consumer:kill)',
    ]);
  });

  it('records recovery once ≥ 90% of offered ops are served again over the last window', async () => {
    const clock = new TestClock();
    const events = new MemoryEvents();
    // 100 ops offered per 100 ms; from the fault until 600 ms all of them fail, then all are served.
    const counts = (): DriverCounts => {
      const t = clock.now() / 1_000; // ms
      const sent = Math.floor(t);
      const failedUntil = Math.min(sent, 600);
      const before = Math.min(sent, 100);
      const errors = Math.max(0, failedUntil - before);
      return { sent, ok: sent - errors, rejected: errors, errors };
    };
    const schedule = startFaults({ faults: parseFaults('consumer:kill@100ms'), clock, strategy: new Consumers(clock), needs: ['postgres'], providers: new PortProviders(), request, events, counts, log: () => {} });
    await sleep(1_600);
    await schedule.stop();
    const recovered = events.samples.filter((s) => s.name === 'fault_recovery_us');
    expect(recovered).toHaveLength(1);
    // Errors until 600 ms; a 500 ms window is ≥ 90% served from about 1,050 ms on: ~950 ms after the fault.
    expect(recovered[0]!.value).toBeGreaterThan(850_000);
    expect(recovered[0]!.value).toBeLessThan(1_300_000);
    expect(events.notes.map((n) => n.kind)).toEqual(['fault', 'fault_recovered']);
  });

  it('records a fault that never recovered before the schedule ended', async () => {
    const clock = new TestClock();
    const events = new MemoryEvents();
    const counts = (): DriverCounts => {
      const sent = Math.floor(clock.now() / 1_000);
      return { sent, ok: 0, rejected: sent, errors: sent };
    };
    const schedule = startFaults({ faults: parseFaults('consumer:kill@10ms'), clock, strategy: new Consumers(clock), needs: ['postgres'], providers: new PortProviders(), request, events, counts, log: () => {} });
    await sleep(500);
    await schedule.stop();
    expect(events.notes.map((n) => n.kind)).toEqual(['fault', 'fault_unrecovered']);
    expect(events.samples).toEqual([]);
  });
});
