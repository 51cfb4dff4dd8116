/**
 * `npx tsx scripts/generate-sample-patient.ts`: writes sample-data/sample-patient.json, the
 * synthetic patient that scripts/lib/samplePatient.ts generates (the same file on every run).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateSamplePatient } from './lib/samplePatient.ts'

async function main() {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'sample-data', 'sample-patient.json')
  const bundle = generateSamplePatient()
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, `${JSON.stringify(bundle)}\n`)
  const types = new Map<string, number>()
  for (const e of bundle.entry ?? []) if (e.resource) types.set(e.resource.resourceType, (types.get(e.resource.resourceType) ?? 0) + 1)
  console.log(`wrote ${out}: ${bundle.entry?.length ?? 0} resources`)
  for (const [type, n] of [...types].sort()) console.log(`  ${type.padEnd(22)} ${n}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
