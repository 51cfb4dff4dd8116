import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser'
import { describe, expect, it } from 'vitest'

/**
 * Proves that every import boundary `npm run lint` checks can fail: each folder under
 * fixtures/ is a tiny tree (src/, server/, scripts/, ...) with one planted violation, named
 * after the rule it breaks; `clean` holds every allowed kind of import and breaks none.
 */
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const ruleNames = (config.forbidden ?? []).map((rule) => rule.name ?? '(a rule without a name)')
const plantedCases = readdirSync(fixtures).filter((name) => name !== 'clean')

async function rulesBrokenIn(fixture: string): Promise<string[]> {
  const { output } = await cruise(['.'], {
    ...config.options,
    baseDir: fixtures + fixture,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
  })
  const result = output as ICruiseResult
  return [...new Set(result.summary.violations.map((violation) => violation.rule.name))].sort()
}

describe('the import boundaries', () => {
  it('has one planted violation for each rule, and none for a rule that does not exist', () => {
    expect(ruleNames).toHaveLength(new Set(ruleNames).size)
    expect([...plantedCases].sort()).toEqual([...ruleNames].sort())
  })

  it('passes a tree that keeps every boundary', async () => {
    expect(await rulesBrokenIn('clean')).toEqual([])
  })

  it.each(ruleNames)('fails on a planted violation of %s, and only that rule', async (rule) => {
    expect(await rulesBrokenIn(rule)).toEqual([rule])
  })
})
