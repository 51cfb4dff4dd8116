import { readFileSync } from 'node:fs'
import { toBase64Url, utf8 } from '../src/domain/crypto/bytes.ts'
import { parseFhirImport } from '../src/domain/fhir/parse.ts'
import { openBackup, sealBackup } from '../src/domain/records/backup.ts'
import { decodeShlink, decryptShareFile, encryptShareFile, MAX_LINK_LENGTH, newShareKey } from '../src/domain/shl/index.ts'
import type { BenchRow, BenchSuite } from './lib/context.ts'

/** CPU milliseconds one call takes (the process's own CPU time, as the fuzz tests' budget counts it), errors included. */
async function cpuMs(call: () => unknown): Promise<number> {
  const start = process.cpuUsage()
  try {
    await call()
  } catch {
    // Refusing is what most of these inputs should get; only the time matters here.
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

async function worst(calls: (() => unknown)[]): Promise<number> {
  let most = 0
  for (const call of calls) most = Math.max(most, await cpuMs(call))
  return most
}

const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}0${close.repeat(depth)}`

/**
 * The worst case of each parser of outside input, in CPU milliseconds per call, on inputs built
 * to be slow (the fuzz tests fail a call over 1000 ms):
 *  - parsers.fhir_import_worst_ms: a resource with a run of a megabyte of one character in a
 *    date, an id and base64 data, nested 100 000 deep, or 200 000 entries of nothing;
 *  - parsers.fhir_import_ms_per_mb: the sample patient read again and again, per megabyte (the
 *    import accepts files of up to 100 MB);
 *  - parsers.share_link_worst_ms: links at the length limit and far beyond it;
 *  - parsers.share_file_worst_ms: a share file at the 32 MB limit, and one deflating past it;
 *  - parsers.backup_worst_ms: a 5 MB backup with its last byte changed, and one with its header length at the limit.
 */
export const parsersSuite: BenchSuite = {
  name: 'parsers',
  async run(ctx) {
    const rows: BenchRow[] = []
    if (ctx.wants('parsers.fhir_import')) {
      const run = (unit: string) => `${unit.repeat(1_000_000)}!`
      const resource = (fields: Record<string, unknown>) => JSON.stringify({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { data: 'AA==' } }], ...fields })
      const adversarial = [
        resource({ date: run('2') }),
        resource({ id: run('a') }),
        resource({ content: [{ attachment: { data: run(' ') } }] }),
        resource({ content: [{ attachment: { data: run('A') } }] }),
        `{"resourceType":"Observation","status":"final","code":{"text":"x"},"extension":${deep(100_000, '[', ']')}}`,
        `{"resourceType":"Bundle","type":"collection","entry":[${Array.from({ length: 200_000 }, () => '{}').join(',')}]}`,
      ]
      rows.push({ name: 'parsers.fhir_import_worst_ms', value: await worst(adversarial.map((text) => () => parseFhirImport(text))), unit: 'ms' })
      const sample = readFileSync(new URL('../sample-data/sample-patient.json', import.meta.url), 'utf8')
      const times = 10
      const ms = await cpuMs(() => {
        for (let i = 0; i < times; i++) parseFhirImport(sample)
      })
      rows.push({ name: 'parsers.fhir_import_ms_per_mb', value: ms / ((sample.length * times) / 1_000_000), unit: 'ms' })
    }
    if (ctx.wants('parsers.share_link')) {
      const payload = (label: string) => `shlink:/${toBase64Url(utf8.encode(JSON.stringify({ url: 'https://s.example/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM', key: newShareKey(), label })))}`
      const links = [payload('x'.repeat(12_000)).slice(0, MAX_LINK_LENGTH), `shlink:/${'A'.repeat(10_000_000)}`, `https://v.example/view#shlink:/${'_'.repeat(MAX_LINK_LENGTH - 40)}`]
      rows.push({ name: 'parsers.share_link_worst_ms', value: await worst(links.map((link) => () => decodeShlink(link))), unit: 'ms' })
    }
    if (ctx.wants('parsers.share_file')) {
      const key = newShareKey()
      const limit = 32 * 1_048_576
      const atLimit = await encryptShareFile(new Uint8Array(limit), key, { compress: false })
      const bomb = await encryptShareFile(new Uint8Array(limit * 2), key)
      rows.push({ name: 'parsers.share_file_worst_ms', value: await worst([atLimit, bomb].map((jwe) => () => decryptShareFile(jwe, key))), unit: 'ms' })
    }
    if (ctx.wants('parsers.backup')) {
      const kek = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
      const backupKey = await kek()
      const chunk = { attachmentId: crypto.randomUUID(), index: 0, iv: new Uint8Array(12), ciphertext: new Uint8Array(5_000_000) }
      const attachment = { format: 1 as const, id: chunk.attachmentId, wrappedKey: new Uint8Array(40), chunkCount: 1, size: 5_000_000, createdAt: 1 }
      const file = await sealBackup({ createdAt: 1, records: [], attachments: [{ attachment, chunks: [chunk] }] }, backupKey)
      const changed = file.slice()
      changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 1
      const longHeader = Uint8Array.from([...utf8.encode('CKBACKUP'), 1, 0, 0, 16, 0, ...utf8.encode(`{"pad":"${'x'.repeat(4_086)}"}`)])
      rows.push({ name: 'parsers.backup_worst_ms', value: await worst([changed, longHeader].map((bytes) => () => openBackup(bytes, backupKey))), unit: 'ms' })
    }
    return rows
  },
}
