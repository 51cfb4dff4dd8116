import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileContracts } from '../build.ts'

describe('generated contract modules', () => {
  it('match what the Solidity sources compile to (run npm run contracts:build after editing a contract)', () => {
    const modules = compileContracts()
    expect(modules.size).toBeGreaterThan(0)
    for (const [file, text] of modules) {
      expect(readFileSync(new URL(`../generated/${file}`, import.meta.url), 'utf8'), `contracts/generated/${file}`).toBe(text)
    }
  })
})
