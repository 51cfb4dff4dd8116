import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The guard behind `withOwnClock` (chainClock.ts): nothing else in the code base moves a
 * chain's clock or changes its mining, so no test can move the clock of a chain that other
 * tests use at the same time (the end-to-end tests share one across workers).
 */
const ROOT = join(import.meta.dirname, '..', '..')
const FOLDERS = ['src', 'server', 'scripts', 'e2e', 'contracts', 'bench']
const SKIPPED = new Set(['node_modules', 'generated', 'fixtures'])
/** The one module allowed to say these things, and this test, which names them. */
const ALLOWED = new Set(['scripts/lib/chainClock.ts', 'scripts/lib/chainClock.test.ts'])

/**
 * Raw JSON-RPC methods that change the chain for everyone on it (every evm_* and anvil_* but
 * anvil_setBalance, which funds one account), and viem's test actions that move the clock or
 * change mining.
 */
const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: 'a raw evm_/anvil_ method', pattern: /\b(?:evm|anvil)_(?!setBalance\b)[A-Za-z]+/ },
  {
    what: "viem's clock or mining action",
    pattern: /\b(?:increaseTime|setNextBlockTimestamp|setBlockTimestampInterval|removeBlockTimestampInterval|setAutomine|setIntervalMining|dropTransaction)\b|\.(?:mine|snapshot|revert)\(/,
  },
]

/** The lines of a source text that move a chain's clock or its mining, as `line: text`. */
function clockMoves(source: string): string[] {
  return source
    .split('\n')
    .flatMap((line, i) => (FORBIDDEN.some(({ pattern }) => pattern.test(line)) ? [`${i + 1}: ${line.trim()}`] : []))
}

function sourceFiles(): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.(?:[cm]?[jt]s|tsx)$/.test(entry.name)) files.push(relative(ROOT, path).split(sep).join('/'))
    }
  }
  for (const folder of FOLDERS) walk(join(ROOT, folder))
  return files
}

describe('moving a chain’s clock', () => {
  it('happens only through withOwnClock (scripts/lib/chainClock.ts)', () => {
    const files = sourceFiles()
    // The walk sees the code base (the files that used to move clocks among them).
    expect(files).toEqual(expect.arrayContaining(['e2e/viewer.spec.ts', 'contracts/test/ConsentRegistry.test.ts', 'scripts/lib/chainClock.ts']))
    const offenders = Object.fromEntries(
      files.filter((file) => !ALLOWED.has(file)).flatMap((file) => {
        const lines = clockMoves(readFileSync(join(ROOT, file), 'utf8'))
        return lines.length ? [[file, lines]] : []
      }),
    )
    expect(offenders, 'move the clock with withOwnClock(chain) on a chain of the test’s own (e2e: e2e/support/ownChain.ts)').toEqual({})
  })

  it('happens in test files whose tests run one after another (a file shares its chain among its tests)', () => {
    const concurrent = sourceFiles().filter((file) => {
      if (ALLOWED.has(file)) return false
      const source = readFileSync(join(ROOT, file), 'utf8')
      return /withOwnClock\(|\.clock\.(?:advance|mineAt|nextBlockAt|mineBlock|automine|dropPendingTransactions)\(/.test(source) && /\.concurrent\b|mode: 'parallel'/.test(source)
    })
    expect(concurrent).toEqual([])
  })

  it('is recognized however it is written', () => {
    const moves = [
      `await client.request({ method: 'evm_increaseTime', params: [60] })`,
      `for (const [method] of [['evm_mine', []]]) {}`,
      `await provider.send("evm_setNextBlockTimestamp", [t])`,
      `await rpc('anvil_setTime', [t])`,
      `const id = await rpc('evm_snapshot'); await rpc('evm_revert', [id])`,
      `await testClient.increaseTime({ seconds: 60 })`,
      `await testClient.setNextBlockTimestamp({ timestamp })`,
      `await anvil.mine({ blocks: 1 })`,
      `await anvil.setAutomine(false)`,
      `import { increaseTime } from 'viem/actions'`,
    ]
    for (const move of moves) expect(clockMoves(move), move).toHaveLength(1)
    const harmless = [
      `await testClient.setBalance({ address, value })`,
      `await rpc('anvil_setBalance', [address, '0x1'])`,
      `await local.clock.advance(3_600)`,
      `mutation.reset()`,
      `const mined = await client.getBlock()`,
    ]
    for (const line of harmless) expect(clockMoves(line), line).toEqual([])
  })
})
