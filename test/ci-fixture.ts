/**
 * A run's provenance for the CI-output tests (JUnit, BMF): the fields those
 * outputs read; the rest is what a recorded run holds.
 */
import type { RunProvenance } from '../reports/common/report-types.js';

/** Provenance of a complete `hotbench run` of `scenario`. */
export function provenance(runId: string, scenario = 'advertiser-burst'): RunProvenance {
  return {
    run_id: runId, started_at: '2026-12-07 17:00:00', finished_at: '2026-12-07 17:01:00', status: 'complete', status_reason: '', command: 'hotbench run',
    scenario, scenario_file: '', seed: 1, stream_sha256: 'ab', planned_ops: 1000, schedule_us: 10_000_000, config: {}, git: { rev: 'deadbeef', branch: 'main' },
    versions: { hotbench: '0.1.0', node: 'v20', postgres: '15', clickhouse: '26', redis: '7', kafka: '' }, host: { name: 'h', cores: 2, mem_bytes: 1 },
  };
}
