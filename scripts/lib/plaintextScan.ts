import { readdir, readFile } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'

/**
 * Searches stored bytes for secrets and health data that must never be there in plaintext:
 * a browser profile's files on disk, or the bytes a page read out of its own stores.
 *
 * What a Chromium profile keeps, and how this reads it:
 * - every file is searched as it is (Cache Storage bodies, OPFS files, IndexedDB blob files,
 *   SQLite databases, LevelDB logs of localStorage and IndexedDB);
 * - LevelDB write-ahead logs (`*.log` next to a `CURRENT` file) are also read record by
 *   record, so that a value split over two 32 KiB blocks is searched whole;
 * - LevelDB tables (`*.ldb`, `*.sst`) are read block by block, snappy-compressed blocks
 *   decompressed, and every entry's key and value searched;
 * - Chromium compresses large IndexedDB values with snappy before storing them (the value
 *   starts with the bytes ff 11 02): each such value found anywhere above is decompressed and
 *   searched too.
 * Each needle is searched as UTF-8, Latin-1 (V8's one-byte strings), UTF-16LE (V8's two-byte
 * strings, localStorage) and UTF-16BE (IndexedDB's encoding of string keys), or as the exact
 * bytes given.
 */

/** Something that must not be found: a text, or exact bytes (a raw key). */
export type Needle = { label: string; text: string } | { label: string; bytes: Uint8Array }

export type Finding = { needle: string; where: string; encoding: string }

/** What a scan read, so a test can check that it read something and say what it covered. */
export type ScanCoverage = {
  files: number
  bytes: number
  leveldbLogRecords: number
  leveldbTableBlocks: number
  compressedValues: number
  /** LevelDB table blocks whose compression this scanner cannot read (none expected). */
  unreadableBlocks: string[]
}

type Pattern = { needle: string; encoding: string; bytes: Buffer }

/** The byte patterns a needle may be stored as. */
export function needlePatterns(needle: Needle): Pattern[] {
  if ('bytes' in needle) return [{ needle: needle.label, encoding: 'bytes', bytes: Buffer.from(needle.bytes) }]
  const { label, text } = needle
  if (text.length < 4) throw new Error(`needle "${label}" is too short to search for without false alarms`)
  const patterns: Pattern[] = [
    { needle: label, encoding: 'UTF-8', bytes: Buffer.from(text, 'utf8') },
    { needle: label, encoding: 'UTF-16LE', bytes: Buffer.from(text, 'utf16le') },
    { needle: label, encoding: 'UTF-16BE', bytes: Buffer.from(text, 'utf16le').swap16() },
  ]
  // Latin-1 differs from UTF-8 only for characters above U+007F (and covers only those to U+00FF).
  if ([...text].some((c) => c.charCodeAt(0) > 0x7f) && [...text].every((c) => c.charCodeAt(0) <= 0xff)) {
    patterns.push({ needle: label, encoding: 'Latin-1', bytes: Buffer.from(text, 'latin1') })
  }
  return patterns
}

/** Every needle found in `data`, each once per encoding. */
export function findNeedles(where: string, data: Uint8Array, needles: readonly Needle[]): Finding[] {
  const haystack = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return needles.flatMap(needlePatterns).flatMap((p) => (haystack.includes(p.bytes) ? [{ needle: p.needle, where, encoding: p.encoding }] : []))
}

/** Reads a LevelDB/protobuf varint at `at`: [value, next offset]; throws past the end. */
function varint(data: Uint8Array, at: number): [number, number] {
  let value = 0
  for (let shift = 0, i = at; shift < 35; shift += 7, i++) {
    const byte = data[i]
    if (byte === undefined) throw new Error('varint runs past the end')
    value += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) return [value, i + 1]
  }
  throw new Error('varint too long')
}

/**
 * Decompresses raw snappy data (no framing) from `start`. A stream that is damaged or cut
 * short gives what was decoded up to there, with `complete: false`; `maxLength` caps the
 * output (a wrong guess of where a value starts must not allocate gigabytes).
 *
 * @example
 * const { output } = snappyDecompress(block)
 */
export function snappyDecompress(input: Uint8Array, start = 0, maxLength = 256 * 1024 * 1024): { output: Uint8Array; complete: boolean } {
  let length: number
  let at: number
  try {
    ;[length, at] = varint(input, start)
  } catch {
    return { output: new Uint8Array(0), complete: false }
  }
  if (length > maxLength) return { output: new Uint8Array(0), complete: false }
  const out = new Uint8Array(length)
  let pos = 0
  const partial = () => ({ output: out.subarray(0, pos), complete: false })
  while (pos < length) {
    const tag = input[at++]
    if (tag === undefined) return partial()
    const kind = tag & 3
    if (kind === 0) {
      let len = tag >>> 2
      if (len >= 60) {
        const extra = len - 59
        len = 0
        for (let i = 0; i < extra; i++) {
          const byte = input[at + i]
          if (byte === undefined) return partial()
          len += byte * 2 ** (8 * i)
        }
        at += extra
      }
      len += 1
      if (at + len > input.length || pos + len > length) return partial()
      out.set(input.subarray(at, at + len), pos)
      at += len
      pos += len
      continue
    }
    let len: number
    let offset: number
    if (kind === 1) {
      const next = input[at++]
      if (next === undefined) return partial()
      len = 4 + ((tag >>> 2) & 7)
      offset = ((tag >>> 5) << 8) | next
    } else {
      const size = kind === 2 ? 2 : 4
      if (at + size > input.length) return partial()
      offset = 0
      for (let i = 0; i < size; i++) offset += (input[at + i] ?? 0) * 2 ** (8 * i)
      at += size
      len = (tag >>> 2) + 1
    }
    if (offset === 0 || offset > pos || pos + len > length) return partial()
    for (let i = 0; i < len; i++, pos++) out[pos] = out[pos - offset] ?? 0
  }
  return { output: out, complete: true }
}

/** Chromium's marker of an IndexedDB value compressed with snappy (blink IDBValueWrapper). */
const COMPRESSED_VALUE = Buffer.from([0xff, 0x11, 0x02])

/** Every snappy-compressed IndexedDB value found in `data`, decompressed. */
export function compressedIndexedDbValues(data: Uint8Array): Uint8Array[] {
  const haystack = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const values: Uint8Array[] = []
  for (let at = haystack.indexOf(COMPRESSED_VALUE); at >= 0; at = haystack.indexOf(COMPRESSED_VALUE, at + 1)) {
    const { output } = snappyDecompress(haystack, at + COMPRESSED_VALUE.length, 64 * 1024 * 1024)
    if (output.length > 0) values.push(output)
  }
  return values
}

const LOG_BLOCK = 32 * 1024
const LOG_HEADER = 7

/**
 * The records of a LevelDB write-ahead log, each reassembled from its fragments (a record may
 * span several 32 KiB blocks, each fragment behind a 7-byte header). A damaged tail ends it.
 */
export function leveldbLogRecords(file: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = []
  let pending: Uint8Array[] = []
  let at = 0
  while (at + LOG_HEADER <= file.length) {
    const left = LOG_BLOCK - (at % LOG_BLOCK)
    if (left < LOG_HEADER) {
      at += left
      continue
    }
    const length = (file[at + 4] ?? 0) | ((file[at + 5] ?? 0) << 8)
    const type = file[at + 6] ?? 0
    const body = file.subarray(at + LOG_HEADER, at + LOG_HEADER + length)
    if (type === 0 && length === 0) {
      at += left
      continue
    }
    if (body.length < length || length > left - LOG_HEADER) break
    at += LOG_HEADER + length
    if (type === 1) records.push(body)
    else if (type === 2) pending = [body]
    else if (type === 3) pending.push(body)
    else if (type === 4) {
      pending.push(body)
      records.push(Buffer.concat(pending))
      pending = []
    } else break
  }
  if (pending.length) records.push(Buffer.concat(pending))
  return records
}

const TABLE_MAGIC = Buffer.from([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb])
const FOOTER = 48

type BlockHandle = { offset: number; size: number }

function blockHandle(data: Uint8Array, at: number): [BlockHandle, number] {
  const [offset, next] = varint(data, at)
  const [size, end] = varint(data, next)
  return [{ offset, size }, end]
}

/** A block's entries (keys rebuilt from their shared prefixes) and values. */
function blockEntries(block: Uint8Array): { key: Uint8Array; value: Uint8Array }[] {
  if (block.length < 4) throw new Error('block too short')
  const restarts = Buffer.from(block.buffer, block.byteOffset, block.byteLength).readUInt32LE(block.length - 4)
  const end = block.length - 4 - 4 * restarts
  if (end < 0) throw new Error('bad restart count')
  const entries: { key: Uint8Array; value: Uint8Array }[] = []
  let key = Buffer.alloc(0)
  let at = 0
  while (at < end) {
    const [shared, a] = varint(block, at)
    const [unshared, b] = varint(block, a)
    const [valueLength, c] = varint(block, b)
    if (shared > key.length || c + unshared + valueLength > end) throw new Error('entry runs past the block')
    key = Buffer.concat([key.subarray(0, shared), block.subarray(c, c + unshared)])
    entries.push({ key, value: block.subarray(c + unshared, c + unshared + valueLength) })
    at = c + unshared + valueLength
  }
  return entries
}

/** A table block's contents, decompressed; undefined when compressed in a way not read here. */
function readBlock(file: Uint8Array, handle: BlockHandle): Uint8Array | undefined {
  const contents = file.subarray(handle.offset, handle.offset + handle.size)
  const type = file[handle.offset + handle.size]
  if (contents.length !== handle.size || type === undefined) throw new Error('block runs past the end of the file')
  if (type === 0) return contents
  if (type === 1) {
    const { output, complete } = snappyDecompress(contents)
    if (!complete) throw new Error('damaged snappy block')
    return output
  }
  return undefined
}

/**
 * Every key and value stored in a LevelDB table file (`.ldb`/`.sst`), its data blocks
 * decompressed. `unreadable` lists blocks in a compression this does not read.
 */
export function leveldbTableEntries(file: Uint8Array): { entries: { key: Uint8Array; value: Uint8Array }[]; blocks: number; unreadable: number } {
  if (file.length < FOOTER || !Buffer.from(file.subarray(file.length - 8)).equals(TABLE_MAGIC)) throw new Error('not a LevelDB table')
  const footer = file.length - FOOTER
  const [, afterMeta] = blockHandle(file, footer)
  const [indexHandle] = blockHandle(file, afterMeta)
  const index = readBlock(file, indexHandle)
  if (!index) return { entries: [], blocks: 0, unreadable: 1 }
  const entries: { key: Uint8Array; value: Uint8Array }[] = []
  let blocks = 0
  let unreadable = 0
  for (const { value } of blockEntries(index)) {
    const [handle] = blockHandle(value, 0)
    const block = readBlock(file, handle)
    if (!block) {
      unreadable++
      continue
    }
    blocks++
    entries.push(...blockEntries(block))
  }
  return { entries, blocks, unreadable }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

/**
 * Reads every file under `dir` (a browser profile after the browser has closed) and returns
 * each needle found, where, and how it was stored, with what the scan covered.
 *
 * @example
 * const { findings } = await scanDirectory(userDataDir, [{ label: 'patient name', text: 'Ada Lovelace' }])
 * expect(findings).toEqual([])
 */
export async function scanDirectory(dir: string, needles: readonly Needle[]): Promise<{ findings: Finding[]; coverage: ScanCoverage }> {
  const findings: Finding[] = []
  const coverage: ScanCoverage = { files: 0, bytes: 0, leveldbLogRecords: 0, leveldbTableBlocks: 0, compressedValues: 0, unreadableBlocks: [] }
  const files = await filesUnder(dir)
  const leveldbDirs = new Set(files.filter((f) => basename(f) === 'CURRENT').map((f) => join(f, '..')))
  const searchValues = (where: string, data: Uint8Array) => {
    for (const value of compressedIndexedDbValues(data)) {
      coverage.compressedValues++
      findings.push(...findNeedles(`${where} (snappy-compressed IndexedDB value)`, value, needles))
    }
  }
  for (const file of files) {
    const where = relative(dir, file)
    const data = await readFile(file)
    coverage.files++
    coverage.bytes += data.length
    findings.push(...findNeedles(where, data, needles))
    const inLeveldb = leveldbDirs.has(join(file, '..'))
    if (inLeveldb && file.endsWith('.log')) {
      for (const record of leveldbLogRecords(data)) {
        coverage.leveldbLogRecords++
        findings.push(...findNeedles(`${where} (log record)`, record, needles))
        searchValues(`${where} (log record)`, record)
      }
    } else if (inLeveldb && /\.(ldb|sst)$/.test(file)) {
      const table = leveldbTableEntries(data)
      coverage.leveldbTableBlocks += table.blocks
      if (table.unreadable) coverage.unreadableBlocks.push(`${where}: ${table.unreadable} block(s)`)
      for (const { key, value } of table.entries) {
        findings.push(...findNeedles(`${where} (table entry)`, Buffer.concat([key, Buffer.from([0]), value]), needles))
        searchValues(`${where} (table entry)`, value)
      }
    } else {
      searchValues(where, data)
    }
  }
  return { findings: dedupe(findings), coverage }
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const id = `${f.needle}\u0000${f.where}\u0000${f.encoding}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}
