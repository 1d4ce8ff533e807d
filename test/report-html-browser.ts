/**
 * Opens a report HTML file in Debian's headless Chromium (playwright-core,
 * no downloaded browser) and reports what a reader would see: console
 * errors, network requests, the uPlot charts that drew and whether their
 * canvases hold the strategies' line colours. For the report-html tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Chromium from Debian's `chromium` package (`.ci/run` installs it). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Flags for this closed network: no background connections the sandboxed machine would refuse. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A chart as the page drew it. */
export interface DrawnChart {
  /** Container id (`chart-…`). */
  readonly id: string;
  /** Series (lines) uPlot holds, x excluded. */
  readonly series: number;
  /** Canvas pixels painted in any of the given line colours. */
  readonly colouredPixels: number;
  /** Canvas size, device pixels. */
  readonly width: number;
  readonly height: number;
}

/** What loading the page showed. */
export interface PageLoad {
  readonly consoleErrors: readonly string[];
  /** Requests other than the file itself. */
  readonly requests: readonly string[];
  /** Chart containers in the page (`.plot[id]`). */
  readonly containers: readonly string[];
  readonly charts: readonly DrawnChart[];
  /** From navigation start until every chart was drawn, ms. */
  readonly renderMs: number;
}

/** A browser session: `open` a file, then `close`. */
export interface ReportBrowser {
  open(file: string, colours: readonly string[], screenshot?: string): Promise<PageLoad>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile (a new user data dir, removed on close). */
export async function launchReportBrowser(): Promise<ReportBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'hbt-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  return {
    async open(file, colours, screenshot) {
      const page: Page = await context.newPage();
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      const url = pathToFileURL(file).href;
      page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      page.on('request', (r) => void (r.url() !== url && requests.push(r.url())));
      const started = Date.now();
      await page.goto(url, { waitUntil: 'load' });
      const containers = await page.$$eval('.plot[id]', (els) => els.map((e) => e.id));
      await page.waitForFunction((n) => ((globalThis as unknown as { hbCharts?: unknown[] }).hbCharts ?? []).length >= n, containers.length, { timeout: 20_000 }).catch(() => undefined);
      const renderMs = Date.now() - started;
      const charts = await page.evaluate((rgb: number[][]) => {
        const list = (globalThis as unknown as { hbCharts?: { hbId: string; series: unknown[]; ctx: Canvas2d }[] }).hbCharts ?? [];
        return list.map((u) => {
          const canvas = u.ctx.canvas;
          const px = u.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let coloured = 0;
          for (let i = 0; i < px.length; i += 4) {
            if (px[i + 3]! < 200) continue;
            for (const [r, g, b] of rgb) if (Math.abs(px[i]! - r!) < 6 && Math.abs(px[i + 1]! - g!) < 6 && Math.abs(px[i + 2]! - b!) < 6) { coloured++; break; }
          }
          return { id: u.hbId, series: u.series.length - 1, colouredPixels: coloured, width: canvas.width, height: canvas.height };
        });
      }, colours.map(hexToRgb));
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
      await page.close();
      return { consoleErrors, requests, containers, charts, renderMs };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The part of a browser's CanvasRenderingContext2D read here (this project compiles without the DOM library). */
interface Canvas2d {
  readonly canvas: { readonly width: number; readonly height: number };
  getImageData(x: number, y: number, w: number, h: number): { readonly data: ArrayLike<number> };
}

function hexToRgb(hex: string): number[] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
