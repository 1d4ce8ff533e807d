/**
 * `--emit k8s` manifests: an Indexed Job (completion index → shard or cell),
 * a ConfigMap with the scenario and the service URLs from a Secret that is
 * referenced, never included; each object passes the models' own validation
 * when read back from the written YAML.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { SCENARIO_PATH, shardRunManifests, sweepManifests } from '../runner/k8s/manifests.js';
import { writeManifests } from '../runner/k8s/write.js';

const dir = mkdtempSync(join(tmpdir(), 'hb-k8s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenarioYaml = 'name: probe\ndescription: k8s probe\nseed: 3\n';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field below
type Parsed = any;
function readBack(folder: string): Record<string, Parsed> {
  const out: Record<string, Parsed> = {};
  for (const f of readdirSync(folder)) out[f] = parse(readFileSync(join(folder, f), 'utf8'));
  return out;
}

describe('Kubernetes manifests', () => {
  it('a 4-shard run: an Indexed Job whose pod k runs shard k/4, the scenario ConfigMap, a finalize Job', async () => {
    const folder = join(dir, 'run');
    await writeManifests(folder, shardRunManifests({ image: 'registry.example/hotbench:0.1.0', runId: '20261207-180000-abc123', shards: 4, runArgs: ['--strategies', 'atomic', '--duration', '30s'], scenarioYaml }));
    const files = readBack(folder);
    expect(Object.keys(files).sort()).toEqual(['configmap.yaml', 'finalize-job.yaml', 'job.yaml']);
    const job = new Job(files['job.yaml']);
    job.validate();
    new Job(files['finalize-job.yaml']).validate();
    new ConfigMap(files['configmap.yaml']).validate();
    expect(job.spec?.completionMode).toBe('Indexed');
    expect(job.spec?.completions).toBe(4);
    expect(job.spec?.parallelism).toBe(4);
    expect(job.spec?.backoffLimit).toBe(0);
    const c = job.spec!.template.spec!.containers[0]!;
    expect(c.args).toEqual(['run', '--scenario', SCENARIO_PATH, '--run-id', '20261207-180000-abc123', '--shard', '$(JOB_COMPLETION_INDEX)/4', '--progress', 'plain', '--strategies', 'atomic', '--duration', '30s']);
    expect(c.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    for (const key of ['PG_URL', 'CLICKHOUSE_URL']) expect(c.env?.find((e) => e.name === key)?.valueFrom?.secretKeyRef).toEqual({ name: 'hotbench-services', key });
    expect(job.spec!.template.spec!.volumes![0]!.configMap!.name).toBe(files['configmap.yaml'].metadata.name);
    expect(files['configmap.yaml'].data['scenario.yaml']).toBe(scenarioYaml);
    expect(files['finalize-job.yaml'].spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['finalize', '20261207-180000-abc123']);
  });

  it('a sweep of 8 cells two at a time: pod k runs cell k', async () => {
    const folder = join(dir, 'sweep');
    await writeManifests(folder, sweepManifests({ image: 'hotbench:dev', sweepId: 'sweep-1', cells: 8, parallelism: 2, sweepArgs: ['--strategies', 'row-lock,aggregate', '--rate-scale', '1,2'], scenarioYaml, namespace: 'bench', secretName: 'my-urls' }));
    const files = readBack(folder);
    const job = new Job(files['job.yaml']);
    job.validate();
    expect(job.metadata?.namespace).toBe('bench');
    expect([job.spec?.completions, job.spec?.parallelism]).toEqual([8, 2]);
    const c = job.spec!.template.spec!.containers[0]!;
    expect(c.args).toContain('$(JOB_COMPLETION_INDEX)');
    expect(c.args?.[c.args.indexOf('--cell') + 1]).toBe('$(JOB_COMPLETION_INDEX)');
    expect(c.env?.find((e) => e.name === 'PG_URL')?.valueFrom?.secretKeyRef?.name).toBe('my-urls');
  });

  it('never puts a URL or password into a manifest: such args are refused in one line', () => {
    for (const args of [['--pg', 'postgres://bench:s3cret@db:5432/bench'], ['--clickhouse=http://u:p@ch:8123'], ['--strategies', 'atomic', '--note', 'http://x']]) {
      expect(() => shardRunManifests({ image: 'i', runId: 'r', shards: 2, runArgs: args, scenarioYaml })).toThrow(/cannot go into a manifest: the pods read PG_URL, CLICKHOUSE_URL and REDIS_URL from the Secret/);
    }
    for (const f of ['run', 'sweep']) {
      for (const file of readdirSync(join(dir, f))) {
        const text = readFileSync(join(dir, f, file), 'utf8');
        expect(text).not.toMatch(/:\/\//);
        expect(text).not.toMatch(/s3cret|password/i);
      }
    }
  });

  it('refuses a parallelism below 1 and a schema-invalid object', () => {
    expect(() => sweepManifests({ image: 'i', sweepId: 's', cells: 4, parallelism: 0, sweepArgs: [], scenarioYaml })).toThrow(/--parallelism 0: expected a whole number/);
    expect(() => sweepManifests({ image: 'i', sweepId: 's', cells: 2.5, sweepArgs: [], scenarioYaml })).toThrow(/invalid manifest: .*completions must be integer/);
  });
});
