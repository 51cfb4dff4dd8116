import { rm } from 'node:fs/promises'
import { chromium, type Browser } from '@playwright/test'
import { build, preview } from 'vite'
import { chromiumArgs, resolveChromium } from '../../scripts/lib/browser.ts'
import { freePort } from '../../scripts/lib/ports.ts'
import { startBackend, type BackendStack } from '../../scripts/lib/stack.ts'
import { toolViteCacheDir } from '../../scripts/lib/viteCache.ts'

/**
 * One line of the results. A timing row's `value` is the median of its runs, with `p90` (the
 * 90th percentile: 9 runs in 10 are as good or better) and `n` (the number of runs); a size, a
 * count, a gas figure or a worst case has `value` alone.
 */
export type BenchRow = { name: string; value: number; unit: string; p90?: number; n?: number }

export type BenchSuite = {
  /** Matches the first part of its rows' names (`vault`, `records`, ...); `npm run bench -- vault` runs only it (and any other suite of that name). */
  name: string
  /** Measures its rows; a suite with costly parts may skip those whose rows `ctx.wants` no one asked for. */
  /** The rows it reports, when it is one of several suites of a name: `npm run bench -- share.health_p99_under_abuse_ms` runs only the suite that has it. */
  rows?: string[]
  run(ctx: BenchContext): Promise<BenchRow[]>
}

export const BENCH_DIST = `.carekey/bench-dist-${process.pid}`

/**
 * Shared, lazily started pieces for the benchmarks: the backend (anvil, contracts, share
 * host), a production build of the app served by `vite preview`, and a headless Chromium.
 */
export class BenchContext {
  /**
   * @param only what `npm run bench -- ...` asked for: suite names (`share`) or row names and
   * their beginnings (`share.host_manifest`, `share.bare_hono_rps`); nothing means everything.
   */
  constructor(readonly only: readonly string[] = []) {}

  /** True when everything runs, or when one of these rows was asked for (by its name or a beginning of it). */
  wants(...rowNames: string[]): boolean {
    return this.only.length === 0 || rowNames.some((row) => this.only.some((asked) => row.startsWith(asked)))
  }

  private backendPromise: Promise<BackendStack> | undefined
  private appPromise: Promise<{ url: string; close(): Promise<void> }> | undefined
  private browserPromise: Promise<Browser> | undefined

  backend(): Promise<BackendStack> {
    this.backendPromise ??= startBackend()
    return this.backendPromise
  }

  /** The production build, served; resolves to its base URL. */
  async appUrl(): Promise<string> {
    this.appPromise ??= (async () => {
      const backend = await this.backend()
      Object.assign(process.env, backend.env)
      await rm(BENCH_DIST, { recursive: true, force: true })
      await build({ logLevel: 'warn', cacheDir: toolViteCacheDir('bench'), build: { outDir: BENCH_DIST, emptyOutDir: true, sourcemap: false } })
      const port = await freePort()
      const server = await preview({ logLevel: 'warn', cacheDir: toolViteCacheDir('bench'), build: { outDir: BENCH_DIST }, preview: { port, strictPort: true, host: 'localhost' } })
      return {
        url: `http://localhost:${port}`,
        close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
      }
    })()
    return (await this.appPromise).url
  }

  browser(): Promise<Browser> {
    this.browserPromise ??= chromium.launch({ executablePath: resolveChromium().executablePath, args: chromiumArgs(), headless: true })
    return this.browserPromise
  }

  async close(): Promise<void> {
    if (this.browserPromise) await (await this.browserPromise).close()
    if (this.appPromise) {
      await (await this.appPromise).close()
      await rm(BENCH_DIST, { recursive: true, force: true })
    }
    if (this.backendPromise) await (await this.backendPromise).stop()
  }
}

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** The median, the 90th percentile (nearest rank) and the count of a list of samples. */
export function summarise(samples: readonly number[], { higherIsBetter = false } = {}): { median: number; p90: number; n: number } {
  if (samples.length === 0 || samples.some((v) => !Number.isFinite(v))) throw new Error(`cannot summarise the samples [${samples.join(', ')}]`)
  const sorted = [...samples].sort((a, b) => (higherIsBetter ? b - a : a - b))
  return { median: median(sorted), p90: sorted[Math.ceil(0.9 * sorted.length) - 1] ?? Number.NaN, n: sorted.length }
}

/**
 * A timing row from its runs: the median, with p90 and n. For a rate (`higherIsBetter`, MB/s)
 * the p90 is the rate 9 runs in 10 reach.
 *
 * @example
 * rows.push(timingRow('vault.unlock_ms', times, 'ms, 4x CPU, fresh browser'))
 */
export function timingRow(name: string, samples: readonly number[], unit: string, options?: { higherIsBetter?: boolean }): BenchRow {
  const { median: value, p90, n } = summarise(samples, options)
  return { name, value, unit, p90, n }
}

/** Rounds for display and JSON: whole numbers above 100, two decimals below. */
export function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100
}
