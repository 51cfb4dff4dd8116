import { describe, expect, it } from 'vitest'
import { storedSummarySchema } from './summary.ts'

const stored = {
  v: 1,
  resourceType: 'Observation',
  category: 'labs',
  title: 'HbA1c',
  date: '2024-03-12',
  searchText: 'hba1c',
  duplicateKeys: ['content:Observation:ab'],
  attachmentIds: [],
  origin: 'imported',
}

describe('a record summary at rest', () => {
  it('reads back a summary as CareKey seals it, with the optional texts left out', () => {
    expect(storedSummarySchema.parse(stored)).toEqual(stored)
    const revised = { ...stored, v: 2, revision: 2, aliases: ['Observation/1'], version: 1, createdAt: 1, updatedAt: 1 }
    expect(storedSummarySchema.parse(revised)).toEqual(revised)
  })

  it('refuses an unknown category, origin or format, a missing title and a list that is not one', () => {
    const problem = (value: unknown) => {
      const parsed = storedSummarySchema.safeParse(value)
      return parsed.success ? undefined : `${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`
    }
    expect(problem({ ...stored, category: 'gossip' })).toBe('category is not a known category')
    expect(problem({ ...stored, origin: 'guessed' })).toBe('origin is not a known origin')
    expect(problem({ ...stored, v: 3 })).toBe('v is not a known format')
    expect(problem({ ...stored, v: 2, version: 1.5 })).toBe('version is not a whole number')
    expect(problem({ ...stored, title: undefined })).toBe('title is missing')
    expect(problem({ ...stored, attachmentIds: 'a' })).toBe('attachmentIds is not a list')
    expect(problem({ ...stored, detail: 3 })).toBe('detail is not text')
    expect(problem({ ...stored, aliases: 'Observation/1' })).toBe('aliases is not a list')
    expect(problem({ ...stored, revision: 0 })).toMatch(/^revision /)
    expect(problem('summary')).toBe(' is not an object')
  })
})
