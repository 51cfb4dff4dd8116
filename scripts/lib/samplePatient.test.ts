import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { categoryOf, RECORD_CATEGORY_IDS } from '../../src/domain/fhir/categories.ts'
import { parseFhirImport } from '../../src/domain/fhir/parse.ts'
import { generateSamplePatient, SAMPLE_PATIENT } from './samplePatient.ts'

const committed = readFileSync(new URL('../../sample-data/sample-patient.json', import.meta.url), 'utf8')

describe('the sample patient', () => {
  it('is what the generator makes (the committed file is up to date and the generator is deterministic)', () => {
    expect(committed).toBe(`${JSON.stringify(generateSamplePatient())}\n`)
  })

  it('has a few hundred valid FHIR R4 resources in every category', () => {
    const parsed = parseFhirImport(committed)
    expect(parsed.rejected).toEqual([])
    expect(parsed.items.length).toBeGreaterThan(300)
    expect(new Set(parsed.items.map((i) => categoryOf(i.resource)))).toEqual(new Set(RECORD_CATEGORY_IDS))
    expect(committed).toContain(SAMPLE_PATIENT.family)
  })

  it('grows with the number of visits, for benchmarks', () => {
    const big = generateSamplePatient({ visits: 700 })
    expect(big.entry?.length).toBeGreaterThan(5000)
  })
})
