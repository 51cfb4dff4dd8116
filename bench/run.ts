/**
 * `npm run bench [-- name ...]`: runs the benchmark suites (or those named), prints a table and
 * writes bench/results.json as an array of { name, value, unit } (timing rows add p90 and n). A name is a suite (`share`) or
 * a row, whole or its beginning (`share.bare_hono`, `share.host_manifest_rps`): only the suites
 * holding such rows run, and only those rows (or all of a suite asked by its name) are printed and written.
 */
import { writeFile } from 'node:fs/promises'
import { bundleSuite } from './bundle.bench.ts'
import { consentSuite } from './consent.bench.ts'
import { gasSuite } from './gas.bench.ts'
import { BenchContext, round, type BenchRow, type BenchSuite } from './lib/context.ts'
import { parsersSuite } from './parsers.bench.ts'
import { prescriptionGasSuite } from './prescriptionGas.bench.ts'
import { pwaSuites } from './pwa.bench.ts'
import { qrSuite, shareQrSuite } from './qr.bench.ts'
import { recordsSuite } from './records.bench.ts'
import { relaySuite } from './relay.bench.ts'
import { scanSuite, shareScanSuite } from './scan.bench.ts'
import { shareSuite } from './share.bench.ts'
import { shareAbuseSuite } from './shareAbuse.bench.ts'
import { walletSuite } from './wallet.bench.ts'

const suites: BenchSuite[] = [bundleSuite, walletSuite, qrSuite, scanSuite, gasSuite, prescriptionGasSuite, relaySuite, shareSuite, shareAbuseSuite, shareQrSuite, shareScanSuite, consentSuite, recordsSuite, parsersSuite, ...pwaSuites]

async function main() {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'))
  // A suite that lists its rows runs for its name or for one of them (or a beginning of one); another runs for any row of its name.
  const asks = (s: BenchSuite) =>
    only.some((name) => name === s.name || (s.rows ? s.rows.some((row) => row.startsWith(name)) : name.startsWith(`${s.name}.`)))
  const selected = only.length ? suites.filter(asks) : suites
  const ctx = new BenchContext(only)
  const rows: BenchRow[] = []
  let failed = false
  try {
    for (const suite of selected) {
      process.stdout.write(`running ${suite.name}…\n`)
      try {
        for (const row of await suite.run(ctx)) if (ctx.wants(row.name) || only.includes(suite.name)) rows.push({ ...row, value: round(row.value), ...(row.p90 !== undefined && { p90: round(row.p90) }) })
      } catch (error) {
        failed = true
        console.error(`${suite.name} failed:`, error)
      }
    }
  } finally {
    await ctx.close()
  }
  const width = Math.max(...rows.map((r) => r.name.length), 4)
  console.log(`\n${'name'.padEnd(width)}  ${'median'.padStart(10)}  ${'p90'.padStart(8)}  ${'n'.padStart(3)}  unit`)
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${String(r.value).padStart(10)}  ${String(r.p90 ?? '').padStart(8)}  ${String(r.n ?? '').padStart(3)}  ${r.unit}`)
  await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`)
  console.log('\nwrote bench/results.json')
  if (failed) process.exit(1)
}

await main()
