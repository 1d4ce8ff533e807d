/**
 * JUnit XML, the report format every CI system reads (GitHub Actions through
 * test-reporter actions, GitLab's `artifacts:reports:junit`, Jenkins,
 * Buildkite): one `<testsuite>` per judged strategy, one `<testcase>` per
 * check. A check has three outcomes, as hotbench's decisions do: passed,
 * failed (a `<failure>` whose message carries the measured value and the
 * limit) and skipped (a `<skipped>` with the reason: a replay that did not
 * run, or a check too close to call under the run's noise).
 *
 * Built with fast-xml-parser's builder, which escapes text and attributes;
 * characters XML 1.0 cannot carry at all (control characters from a
 * strategy's error message) are replaced first.
 */
import { XMLBuilder } from 'fast-xml-parser';

/** How one check ended. */
export type CaseOutcome =
  | { readonly kind: 'passed' }
  | { readonly kind: 'failed'; readonly message: string; readonly detail?: string }
  | { readonly kind: 'skipped'; readonly message: string };

/** One `<testcase>`. */
export interface JUnitCase {
  /** CI tools group by it: `hotbench.<scenario>.<strategy label>`. */
  readonly classname: string;
  /** The check, e.g. `ack p99 ≤ 50 ms`. */
  readonly name: string;
  readonly outcome: CaseOutcome;
  /** Extra facts (measured value, limit, unit) as `<property>` elements. */
  readonly properties?: Readonly<Record<string, string | number>>;
}

/** One `<testsuite>`. */
export interface JUnitSuite {
  readonly name: string;
  /** ISO 8601, e.g. `2026-12-07T17:50:00` (UTC). */
  readonly timestamp?: string;
  /** Seconds the suite took (the replay's length), or undefined. */
  readonly time?: number;
  readonly properties?: Readonly<Record<string, string | number>>;
  readonly cases: readonly JUnitCase[];
}

/** Counts over suites, as the `<testsuites>` attributes report them. */
export interface JUnitCounts {
  readonly tests: number;
  readonly failures: number;
  readonly skipped: number;
}

/** Totals of `suites`. */
export function countCases(suites: readonly JUnitSuite[]): JUnitCounts {
  const all = suites.flatMap((s) => s.cases);
  return { tests: all.length, failures: all.filter((c) => c.outcome.kind === 'failed').length, skipped: all.filter((c) => c.outcome.kind === 'skipped').length };
}

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text XML 1.0 can carry: control characters become U+FFFD. */
function clean(text: string | number): string {
  return String(text).replace(NOT_XML, '\ufffd');
}

function propertiesOf(props: Readonly<Record<string, string | number>> | undefined): object | undefined {
  const entries = Object.entries(props ?? {});
  if (entries.length === 0) return undefined;
  return { property: entries.map(([name, value]) => ({ '@_name': clean(name), '@_value': clean(value) })) };
}

function caseNode(c: JUnitCase): object {
  const node: Record<string, unknown> = { '@_classname': clean(c.classname), '@_name': clean(c.name) };
  const props = propertiesOf(c.properties);
  if (props) node['properties'] = props;
  if (c.outcome.kind === 'failed') node['failure'] = { '@_message': clean(c.outcome.message), '@_type': 'threshold', '#text': clean(c.outcome.detail ?? c.outcome.message) };
  if (c.outcome.kind === 'skipped') node['skipped'] = { '@_message': clean(c.outcome.message) };
  return node;
}

/** The document: `<testsuites name=...>` holding `suites`, newline-terminated. */
export function renderJUnit(name: string, suites: readonly JUnitSuite[]): string {
  const total = countCases(suites);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': clean(name),
      '@_tests': total.tests,
      '@_failures': total.failures,
      '@_errors': 0,
      '@_skipped': total.skipped,
      testsuite: suites.map((s) => {
        const n = countCases([s]);
        const node: Record<string, unknown> = { '@_name': clean(s.name), '@_tests': n.tests, '@_failures': n.failures, '@_errors': 0, '@_skipped': n.skipped };
        if (s.timestamp !== undefined) node['@_timestamp'] = s.timestamp;
        if (s.time !== undefined) node['@_time'] = s.time.toFixed(3);
        const props = propertiesOf(s.properties);
        if (props) node['properties'] = props;
        node['testcase'] = s.cases.map(caseNode);
        return node;
      }),
    },
  };
  // suppressBooleanAttributes off: the builder would write value="true" as a bare `value`, which is not XML.
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true, suppressBooleanAttributes: false });
  const xml = builder.build(doc) as string;
  return xml.endsWith('\n') ? xml : `${xml}\n`;
}

/** `2026-12-07 17:50:00` (the store's UTC text) as `2026-12-07T17:50:00`. */
export function isoTimestamp(utc: string | null): string | undefined {
  return utc ? utc.replace(' ', 'T') : undefined;
}
