import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  compressedIndexedDbValues,
  findNeedles,
  leveldbLogRecords,
  leveldbTableEntries,
  scanDirectory,
  snappyDecompress,
  type Needle,
} from './plaintextScan.ts'

const bytes = (...parts: (number[] | string | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))

function varint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}

/**
 * Snappy of `word` repeated `times` times, as a compressor may write it: the word in two
 * literals (so it never appears whole in the compressed bytes), then copies of it.
 */
function snappyRepeat(word: string, times: number): Buffer {
  const half = Math.floor(word.length / 2)
  const literal = (text: string) => [((text.length - 1) << 2) | 0, ...Buffer.from(text, 'latin1')]
  const parts: number[] = [...varint(word.length * times), ...literal(word.slice(0, half)), ...literal(word.slice(half))]
  let left = word.length * (times - 1)
  while (left > 0) {
    const len = Math.min(left, 64)
    parts.push(((len - 1) << 2) | 2, word.length & 0xff, word.length >> 8)
    left -= len
  }
  return Buffer.from(parts)
}

/** Snappy of `data` as literals only (valid snappy, no compression). */
function snappyLiterals(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from(varint(data.length))]
  for (let i = 0; i < data.length; i += 60) {
    const chunk = data.subarray(i, i + 60)
    parts.push(Buffer.from([((chunk.length - 1) << 2) | 0]), chunk)
  }
  return Buffer.concat(parts)
}

/** A LevelDB log holding `records`, fragmented over 32 KiB blocks as LevelDB writes them. */
function leveldbLog(records: Buffer[]): Buffer {
  const out: Buffer[] = []
  let offset = 0
  for (const record of records) {
    let left = record
    let first = true
    while (first || left.length) {
      const room = 32768 - (offset % 32768)
      if (room < 7) {
        out.push(Buffer.alloc(room))
        offset += room
        continue
      }
      const piece = left.subarray(0, room - 7)
      left = left.subarray(piece.length)
      const type = first && !left.length ? 1 : first ? 2 : left.length ? 3 : 4
      out.push(Buffer.from([0, 0, 0, 0, piece.length & 0xff, piece.length >> 8, type]), piece)
      offset += 7 + piece.length
      first = false
    }
  }
  return Buffer.concat(out)
}

/** A LevelDB block of `entries`, keys sharing prefixes with the previous key. */
function block(entries: [string, Buffer][]): Buffer {
  const parts: Buffer[] = []
  let previous = ''
  for (const [key, value] of entries) {
    let shared = 0
    while (shared < key.length && key[shared] === previous[shared]) shared++
    parts.push(Buffer.from([...varint(shared), ...varint(key.length - shared), ...varint(value.length)]), Buffer.from(key.slice(shared)), value)
    previous = key
  }
  const restarts = Buffer.alloc(8)
  restarts.writeUInt32LE(0, 0)
  restarts.writeUInt32LE(1, 4)
  return Buffer.concat([...parts, restarts])
}

/** A LevelDB table with one data block per element of `blocks`, each stored with `compression` (0 none, 1 snappy, 4 zstd). */
function leveldbTable(blocks: [string, Buffer][][], compression: 0 | 1 | 4): Buffer {
  const parts: Buffer[] = []
  let offset = 0
  const write = (contents: Buffer, type: number) => {
    const handle = { offset, size: contents.length }
    parts.push(contents, Buffer.from([type, 0, 0, 0, 0]))
    offset += contents.length + 5
    return handle
  }
  const handles = blocks.map((entries, i) => {
    const raw = block(entries)
    return [`k${i}`, write(compression === 1 ? snappyLiterals(raw) : raw, compression)] as const
  })
  const metaindex = write(block([]), 0)
  const index = write(block(handles.map(([key, h]) => [key, Buffer.from([...varint(h.offset), ...varint(h.size)])])), 0)
  const footer = Buffer.alloc(48)
  Buffer.from([...varint(metaindex.offset), ...varint(metaindex.size), ...varint(index.offset), ...varint(index.size)]).copy(footer)
  Buffer.from([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]).copy(footer, 40)
  return Buffer.concat([...parts, footer])
}

const NEEDLES: Needle[] = [{ label: 'name', text: 'Ada Lovelace' }]

describe('snappyDecompress', () => {
  it('expands literals and overlapping copies with one- and two-byte offsets', () => {
    // "abc", then a 9-byte copy at offset 3 (one-byte offset form), then a 4-byte copy at offset 12 (two-byte form).
    const stream = bytes(varint(16), [0x08], 'abc', [(5 << 2) | 1, 3], [(3 << 2) | 2, 12, 0])
    expect(Buffer.from(snappyDecompress(stream).output).toString('latin1')).toBe('abcabcabcabcabca')
    expect(snappyDecompress(stream).complete).toBe(true)
  })

  it('reads long literals whose length follows the tag', () => {
    const text = 'x'.repeat(100)
    const stream = bytes(varint(100), [60 << 2, 99], text)
    expect(Buffer.from(snappyDecompress(stream).output).toString('latin1')).toBe(text)
  })

  it('gives what it decoded of a damaged stream, and nothing for an absurd length', () => {
    // The two literals of the word and the first byte of a copy.
    const cut = snappyRepeat('Ada Lovelace ', 10).subarray(0, 18)
    const partial = snappyDecompress(cut)
    expect(partial.complete).toBe(false)
    expect(Buffer.from(partial.output).toString('latin1')).toBe('Ada Lovelace ')
    expect(snappyDecompress(bytes(varint(2 ** 30), [0]), 0, 1024)).toEqual({ output: new Uint8Array(0), complete: false })
    // A copy reaching before the start is refused, not read from outside the output.
    expect(snappyDecompress(bytes(varint(8), [0x00], 'a', [(3 << 2) | 2, 9, 0])).complete).toBe(false)
  })
})

describe('findNeedles', () => {
  it('finds a text stored as UTF-8, UTF-16LE, UTF-16BE or Latin-1, and exact bytes', () => {
    const needles: Needle[] = [
      { label: 'name', text: 'Zoë Müller' },
      { label: 'key', bytes: Uint8Array.from([1, 2, 3, 250]) },
    ]
    expect(findNeedles('a', Buffer.from('.. Zoë Müller ..', 'utf8'), needles)).toEqual([{ needle: 'name', where: 'a', encoding: 'UTF-8' }])
    expect(findNeedles('b', Buffer.from('Zoë Müller', 'utf16le'), needles).map((f) => f.encoding)).toEqual(['UTF-16LE'])
    expect(findNeedles('c', Buffer.from('Zoë Müller', 'utf16le').swap16(), needles).map((f) => f.encoding)).toEqual(['UTF-16BE'])
    expect(findNeedles('d', Buffer.from('Zoë Müller', 'latin1'), needles).map((f) => f.encoding)).toEqual(['Latin-1'])
    expect(findNeedles('e', bytes([0, 1, 2, 3, 250, 0]), needles)).toEqual([{ needle: 'key', where: 'e', encoding: 'bytes' }])
    expect(findNeedles('f', Buffer.from('Zoe Muller and 1 2 3'), needles)).toEqual([])
  })

  it('refuses needles too short to mean anything', () => {
    expect(() => findNeedles('a', Buffer.alloc(0), [{ label: 'x', text: 'ab' }])).toThrow('too short')
  })
})

describe('LevelDB and Chromium IndexedDB formats', () => {
  it('reassembles a log record split over two blocks, where the raw file hides it', () => {
    // The first fragment holds 32768 - 7 bytes: the name is cut after its fifth byte.
    const filler = Buffer.alloc(32768 - 7 - 5, 0x2e)
    const log = leveldbLog([Buffer.concat([filler, Buffer.from('Ada Lovelace')])])
    expect(findNeedles('raw', log, NEEDLES)).toEqual([])
    const records = leveldbLogRecords(log)
    expect(records).toHaveLength(1)
    expect(findNeedles('record', records[0] ?? new Uint8Array(), NEEDLES)).toHaveLength(1)
  })

  it('finds snappy-compressed IndexedDB values behind their marker', () => {
    const text = 'Ada Lovelace '.repeat(40)
    const stored = bytes('prefix', [0xff, 0x11, 0x02], snappyRepeat('Ada Lovelace ', 40), 'suffix')
    // The name is cut in two by a literal's tag: not there as stored.
    expect(findNeedles('raw', stored, NEEDLES)).toEqual([])
    const values = compressedIndexedDbValues(stored)
    expect(values.map((v) => Buffer.from(v).toString('latin1'))).toContain(text)
  })

  it('reads every entry of a table, in plain and snappy blocks, and reports blocks in another compression', () => {
    const entries: [string, Buffer][][] = [
      [
        ['record-0001', Buffer.from('nothing here')],
        ['record-0002', Buffer.from('patient Ada Lovelace')],
      ],
      [['record-0003', Buffer.from('more')]],
    ]
    for (const compression of [0, 1] as const) {
      const table = leveldbTableEntries(leveldbTable(entries, compression))
      expect(table.blocks).toBe(2)
      expect(table.unreadable).toBe(0)
      expect(table.entries.map((e) => Buffer.from(e.key).toString())).toEqual(['record-0001', 'record-0002', 'record-0003'])
      expect(Buffer.from(table.entries[1]?.value ?? []).toString()).toBe('patient Ada Lovelace')
    }
    expect(leveldbTableEntries(leveldbTable(entries, 4)).unreadable).toBe(2)
    expect(() => leveldbTableEntries(Buffer.from('not a table at all, just some bytes that are long enough'))).toThrow('not a LevelDB table')
  })
})

describe('scanDirectory', () => {
  let dir = ''
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('finds needles in plain files, LevelDB logs and tables, and compressed values, and says what it read', async () => {
    dir = await mkdtemp(join(tmpdir(), 'carekey-scan-'))
    const leveldb = join(dir, 'IndexedDB', 'site.leveldb')
    await mkdir(leveldb, { recursive: true })
    await writeFile(join(leveldb, 'CURRENT'), 'MANIFEST-000001\n')
    const compressed = bytes([0xff, 0x11, 0x02], snappyRepeat('Grace Hopper ', 20))
    await writeFile(join(leveldb, '000003.log'), leveldbLog([bytes('batch ', compressed)]))
    await writeFile(join(leveldb, '000005.ldb'), leveldbTable([[['k', Buffer.from('Ada Lovelace')]]], 1))
    await writeFile(join(dir, 'blob'), Buffer.from('Alan Turing', 'utf16le'))
    const { findings, coverage } = await scanDirectory(dir, [
      { label: 'Ada', text: 'Ada Lovelace' },
      { label: 'Grace', text: 'Grace Hopper' },
      { label: 'Alan', text: 'Alan Turing' },
      { label: 'absent', text: 'Nobody Here' },
    ])
    expect(findings).toEqual(
      expect.arrayContaining([
        { needle: 'Ada', where: join('IndexedDB', 'site.leveldb', '000005.ldb (table entry)'), encoding: 'UTF-8' },
        { needle: 'Grace', where: join('IndexedDB', 'site.leveldb', '000003.log (log record) (snappy-compressed IndexedDB value)'), encoding: 'UTF-8' },
        { needle: 'Alan', where: 'blob', encoding: 'UTF-16LE' },
      ]),
    )
    expect(findings.filter((f) => f.needle === 'absent')).toEqual([])
    expect(coverage).toMatchObject({ files: 4, leveldbLogRecords: 1, leveldbTableBlocks: 1, compressedValues: 1, unreadableBlocks: [] })
  })
})
