/**
 * Everything in the HTML report is escaped: a run whose scenario file path
 * carries markup (`<img onerror>`, a `</script><script>` that would break out
 * of an inline script, quotes and `&`) and whose description carries a
 * `<script>` produces a report in which no script from the data runs (the
 * page is loaded in Chromium with alert/confirm/prompt and dialogs watched)
 * and the markup shows as text. The scenario NAME cannot carry markup at all:
 * its pattern refuses `<`, in one line.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../scenarios/index.js';
import { runCli } from './support/cli.js';
import { PG_URL } from './support/database.js';
import { CLICKHOUSE_URL, runIdOf, smallScenario } from './hardening-fixture.js';
import { CHROMIUM } from './report-html-browser.js';

const dir = mkdtempSync(join(tmpdir(), 'hbt-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Path segments with markup; the `/`s of the last one make nested folders, so the path holds `</script><script>...</script>`. */
const SEGMENTS = ['<img src=x onerror=alert(1)>', `"q'&amp;<b>bold</b>`, '</script><script>alert(2)</script><!--'];
const DESCRIPTION = '<script>alert(3)</script> & "quotes" <svg onload=alert(4)>';

describe('the HTML report escapes what it shows', () => {
  it('a scenario name with markup is refused by its pattern, in one line', () => {
    const text = 'name: "<script>x</script>"\ndescription: x\naccounts: { count: 2, balance: 10 }\nphases: [{ duration: 1s, arrival: { process: constant, rate: 1 } }]\nmix: { charge: 1 }\n';
    let err: unknown;
    try {
      parseScenario(text, 'markup.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toBe(
      'markup.yaml:1:7: name: expected a name of lowercase letters, digits and dashes (at most 63, not starting with a dash), got "<script>x</script>"',
    );
  });

  it('markup in the file path and the description never runs, and the path shows as text', async () => {
    const folder = join(dir, ...SEGMENTS);
    mkdirSync(folder, { recursive: true });
    const scenario = smallScenario(folder, { name: 'markup', seconds: 1, rate: 20, description: DESCRIPTION });
    expect(scenario).toContain('</script><script>alert(2)</script>');
    const out = join(dir, 'out');
    const res = await runCli(['run', '--scenario', scenario, '--strategies', 'atomic', '--pg', PG_URL, '--clickhouse', CLICKHOUSE_URL, '--data-dir', join(dir, 'data'), '--out', out, '--progress', 'off'], { timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    const file = join(out, runIdOf(res.stderr), 'report.html');
    const html = readFileSync(file, 'utf8');

    // Static: no payload appears raw (each is escaped, or absent like the description, which reports do not show).
    for (const raw of ['<img src=x onerror', '</script><script>alert(2)', '<script>alert(3)', '<svg onload', '<b>bold</b>']) expect(html.includes(raw), raw).toBe(false);
    // The path did reach the report, escaped (so this test can fail).
    expect(html).toMatch(/&lt;img src=x onerror=alert\(1\)&gt;/);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'], headless: true });
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.addInitScript(() => {
        const w = globalThis as unknown as Record<string, unknown>;
        w['__calls'] = [];
        for (const name of ['alert', 'confirm', 'prompt']) w[name] = (...a: unknown[]) => (w['__calls'] as unknown[]).push(`${name}(${a.join(',')})`);
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForTimeout(500); // onerror/onload handlers fire after load
      const seen = await page.evaluate(() => {
        const w = globalThis as unknown as { __calls: string[]; document: { body: { innerText: string }; querySelectorAll(s: string): ArrayLike<{ textContent: string | null; getAttributeNames(): string[] }> } };
        const scripts = Array.from(w.document.querySelectorAll('script')).map((s) => s.textContent ?? '');
        const handlers = Array.from(w.document.querySelectorAll('*')).flatMap((el) => el.getAttributeNames().filter((a) => a.startsWith('on')));
        return { calls: w.__calls, text: w.document.body.innerText, scriptsWithAlert: scripts.filter((s) => /alert\(\d\)/.test(s)).length, handlers };
      });
      expect(dialogs).toEqual([]);
      expect(seen.calls).toEqual([]);
      expect(seen.handlers).toEqual([]);
      expect(seen.scriptsWithAlert).toBe(0);
      expect(errors).toEqual([]);
      // The reader sees the path as it is, markup as text.
      expect(seen.text).toContain('<img src=x onerror=alert(1)>');
      expect(seen.text).toContain('</script><script>alert(2)</script>');
    } finally {
      await browser.close();
    }
  }, 180_000);
});
