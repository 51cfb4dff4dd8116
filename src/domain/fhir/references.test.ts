import { describe, expect, it } from 'vitest'
import { referenceAliases, referencedResources, referenceKeys } from './references.ts'

const result = { resourceType: 'Observation', status: 'final', code: { text: 'Glucose' } } as const

describe('following a reference to a record of the same source', () => {
  it('knows a record by Type/id, by urn:uuid when its id is a UUID, and by the fullUrl it came with', () => {
    expect(referenceAliases({ ...result, id: '9A918A7A-41ea-42c0-a0b1-9236e05144b6' })).toEqual([
      'Observation/9A918A7A-41ea-42c0-a0b1-9236e05144b6',
      'urn:uuid:9a918a7a-41ea-42c0-a0b1-9236e05144b6',
    ])
    expect(referenceAliases({ ...result, id: 'glu-1' }, 'https://fhir.example.org/r4/Observation/glu-1')).toEqual([
      'Observation/glu-1',
      'https://fhir.example.org/r4/Observation/glu-1',
    ])
    expect(referenceAliases(result, 'urn:uuid:0A8E2D47-0000-4000-8000-000000000001')).toEqual(['urn:uuid:0a8e2d47-0000-4000-8000-000000000001'])
    expect(referenceAliases(result)).toEqual([])
  })

  it('matches relative, absolute and versioned references by Type/id, and urn:uuid whatever its case', () => {
    expect(referenceKeys('Observation/42')).toEqual(['Observation/42'])
    expect(referenceKeys('Observation/42/_history/3')).toEqual(['Observation/42/_history/3', 'Observation/42'])
    expect(referenceKeys('https://fhir.example.org/r4/Observation/42/_history/3')).toEqual(['https://fhir.example.org/r4/Observation/42/_history/3', 'Observation/42'])
    expect(referenceKeys(' URN:UUID:ABC ')).toEqual(['urn:uuid:abc'])
    expect(referenceKeys('#contained-1')).toEqual([])
    expect(referenceKeys('')).toEqual([])
  })

  it('finds, among shared resources, the ones a report’s results point to', () => {
    const glucose = { ...result, id: 'glu-1' }
    const a1c = { ...result, id: '9a918a7a-41ea-42c0-a0b1-9236e05144b6', code: { text: 'HbA1c' } }
    const condition = { resourceType: 'Condition', id: 'glu-1', subject: {} } as const
    expect(referencedResources([condition, glucose, a1c], ['Observation/glu-1', 'urn:uuid:9a918a7a-41ea-42c0-a0b1-9236e05144b6', 'Observation/gone', undefined])).toEqual([
      glucose,
      a1c,
      undefined,
      undefined,
    ])
  })
})
