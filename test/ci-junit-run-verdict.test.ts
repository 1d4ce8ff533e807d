/**
 * `run --junit`: one test case per strategy × check, failures carrying the
 * measured value and the limit, uncertain checks and skipped strategies as
 * skipped with the reason; parsed back with an XML parser, counts matching.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import { checkOutcome, renderRunJUnit } from '../reports/ci/junit-run.js';
import { judge } from '../reports/run/verdict.js';
import { made } from './report-verdict-fixture.js';
import { provenance } from './ci-fixture.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

interface Case { classname: string; name: string; failure?: { message: string; '#text': string }; skipped?: { message: string } }
interface Suite { name: string; tests: string; failures: string; skipped: string; testcase: Case[] }

function parse(xml: string): { testsuites: { tests: string; failures: string; skipped: string; name: string; testsuite: Suite[] } } {
  expect(XMLValidator.validate(xml), xml).toBe(true);
  return parser.parse(xml) as never;
}

it('lists every check of every strategy, with the failure measured against its limit', () => {
  const strategies = [
    made({ label: 'atomic', p99: 12_000, goodput: 900 }),
    made({ label: 'row-lock', p99: 212_000, goodput: 400, overdraft: 300 }),
    made({ label: 'buffer', status: 'skipped', detail: 'needs Kafka: give --kafka host:port', backend: 'kafka' }),
  ];
  const verdict = judge({ strategies }, { p99_ack_ms: 50, overdraft_amount: 0 });
  const doc = parse(renderRunJUnit({ run: provenance('run-1'), strategies, verdict }));
  const suites = doc.testsuites.testsuite;
  expect(suites.map((s) => s.name)).toEqual(['atomic [postgres]', 'row-lock [postgres]', 'buffer [kafka]']);
  const atomic = suites[0]!.testcase;
  expect(atomic.length).toBe(verdict.judged[0]!.checks.length);
  expect(atomic.map((c) => c.name).slice(0, 2)).toEqual(['p99_ack_ms ≤ 50.0 ms', 'overdraft_amount ≤ 0']);
  expect(atomic.every((c) => c.failure === undefined && c.skipped === undefined)).toBe(true);
  expect(atomic[0]!.classname).toBe('hotbench.advertiser-burst.atomic');

  const rowLock = suites[1]!.testcase;
  const p99 = rowLock.find((c) => c.name === 'p99_ack_ms ≤ 50.0 ms')!;
  expect(p99.failure!.message).toBe('p99_ack_ms 212 ms > 50.0 ms');
  expect(p99.failure!['#text']).toMatch(/measured 212, limit 50/);
  expect(rowLock.find((c) => c.name === 'overdraft_amount ≤ 0')!.failure!.message).toMatch(/300/);

  expect(suites[2]!.testcase).toEqual([{ classname: 'hotbench.advertiser-burst.buffer', name: 'replay completed', skipped: { message: 'skipped: needs Kafka: give --kafka host:port' } }]);
  const failures = suites.flatMap((s) => s.testcase).filter((c) => c.failure).length;
  expect(Number(doc.testsuites.failures)).toBe(failures);
  expect(failures).toBe(2);
  expect(Number(doc.testsuites.skipped)).toBe(1);
  expect(Number(doc.testsuites.tests)).toBe(suites.reduce((n, s) => n + s.testcase.length, 0));
  expect(doc.testsuites.name).toMatch(/pick atomic/);
});

it('reports a check the verdict could not call as skipped, with the reason', () => {
  const base = { key: 'p99_ack_ms', rule: 'p99_ack_ms ≤ 50 ms', limit: 50, measured: 49, text: 'p99_ack_ms 49.0 ms' };
  expect(checkOutcome({ ...base, ok: true, status: 'uncertain', reason: 'p99_ack_ms interval 44–56 ms straddles 50 ms' })).toEqual({ kind: 'skipped', message: 'too close to call: p99_ack_ms interval 44–56 ms straddles 50 ms' });
  expect(checkOutcome({ ...base, ok: true })).toEqual({ kind: 'passed' });
  expect(checkOutcome({ ...base, ok: false, measured: null, text: 'p99_ack_ms none' }).kind).toBe('failed');
});

it('keeps the document well-formed whatever a strategy wrote in its error', () => {
  const strategies = [made({ label: 'atomic' }), made({ label: 'x<&>"\'', status: 'failed', detail: 'boom \u0000\u0007 </testcase> ]]> & "q"' })];
  const verdict = judge({ strategies }, {});
  const xml = renderRunJUnit({ run: provenance('run-2'), strategies, verdict });
  const doc = parse(xml);
  const failed = doc.testsuites.testsuite[1]!.testcase[0]!;
  expect(failed.failure!.message).toBe('replay failed: boom \ufffd\ufffd </testcase> ]]> & "q"');
  expect(doc.testsuites.testsuite[1]!.name).toBe('x<&>"\' [postgres]');
});
