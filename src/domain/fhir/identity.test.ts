import type { Condition } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { canonicalJson, duplicateKeys } from './identity.ts'

const condition: Condition = {
  resourceType: 'Condition',
  id: 'c1',
  subject: { reference: 'Patient/1' },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes' }] },
  onsetDateTime: '2019-04-02',
}

describe('duplicate detection', () => {
  it('writes canonical JSON whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], e: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}')
  })

  it('treats the same content as the same record, whatever its id, meta, narrative or key order', async () => {
    const again: Condition = {
      onsetDateTime: '2019-04-02',
      code: { coding: [{ display: 'Diabetes', code: '44054006', system: 'http://snomed.info/sct' }] },
      subject: { reference: 'Patient/1' },
      resourceType: 'Condition',
      id: 'another-id',
      meta: { lastUpdated: '2025-01-01T00:00:00Z' },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Diabetes</div>' },
    }
    expect(await duplicateKeys(again)).toEqual(await duplicateKeys(condition))
  })

  it('tells different content apart', async () => {
    const [a] = await duplicateKeys(condition)
    const [b] = await duplicateKeys({ ...condition, onsetDateTime: '2019-04-03' })
    expect(a).not.toBe(b)
  })

  it('matches records that share a business identifier even when their content changed', async () => {
    const first = await duplicateKeys({ ...condition, identifier: [{ system: 'urn:portal', value: '42' }] })
    const updated = await duplicateKeys({ ...condition, onsetDateTime: '2020', identifier: [{ system: 'urn:portal', value: '42' }] })
    expect(first.filter((k) => updated.includes(k))).toEqual(['identifier:Condition:urn:portal|42'])
  })
})
