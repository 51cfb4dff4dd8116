import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anyText, fuzzAssert, FUZZ_TEST_TIMEOUT_MS, jsonText, mutatedJson, mutatedJsonText, parseOutcome, type Outcome } from '../../test/fuzz.ts'
import { parseFhirImport, parseFhirJson, type ParsedImport } from './parse.ts'

type Resource = { resourceType: string } & Record<string, unknown>

/** One real resource of each kind in the sample patient (the smallest), as the seeds to mutate. */
const seeds: Resource[] = (() => {
  const bundle = JSON.parse(readFileSync(new URL('../../../sample-data/sample-patient.json', import.meta.url), 'utf8')) as { entry: { resource: Resource }[] }
  const smallest = new Map<string, Resource>()
  for (const { resource } of bundle.entry) {
    const kept = smallest.get(resource.resourceType)
    if (!kept || JSON.stringify(resource).length < JSON.stringify(kept).length) smallest.set(resource.resourceType, resource)
  }
  return [...smallest.values()]
})()

const seed = fc.constantFrom(...seeds)
const bundleOf = (resources: Resource[], type = 'collection') => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${String(resource.id)}`, resource })),
})
const validBundle = fc.array(seed, { minLength: 1, maxLength: 4 }).chain((resources) => fc.constantFrom(...['collection', 'document', 'searchset', 'transaction', 'batch'].map((type) => bundleOf(resources, type))))

const RUN_UNITS = [' ', '\n', 'A', '0', '=', '-', '+', '.', ':', 'é']

/** A copy of a resource with every text (but its resourceType) replaced. */
function mapStrings(value: unknown, replace: () => string, key?: string): unknown {
  if (typeof value === 'string') return key === 'resourceType' ? value : replace()
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, replace))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, replace, k)]))
  return value
}

/** Checks that hold for whatever the parser accepts: it is what the wallet can store and show. */
function expectStorable(outcome: Outcome<ParsedImport>): void {
  if (!outcome.ok) return
  for (const item of outcome.value.items) {
    expect(typeof item.resource.resourceType).toBe('string')
    // Accepted records are encrypted as JSON text and shown as JSON: both must be able to write them.
    expect(() => JSON.stringify(item.resource)).not.toThrow()
  }
  for (const rejection of outcome.value.rejected) expect(rejection.reason).not.toBe('')
}

describe('the FHIR import parser, fuzzed', { timeout: FUZZ_TEST_TIMEOUT_MS }, () => {
  it('throws only CareKeyErrors on any text', () => {
    fuzzAssert(
      fc.property(anyText, (text) => {
        expectStorable(parseOutcome(() => parseFhirImport(text)))
      }),
      300,
    )
  })

  it('throws only CareKeyErrors on any bytes read as text', () => {
    const decoder = new TextDecoder()
    fuzzAssert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        expectStorable(parseOutcome(() => parseFhirImport(decoder.decode(bytes))))
      }),
      150,
    )
  })

  it('throws only CareKeyErrors on JSON of any shape', () => {
    fuzzAssert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expectStorable(parseOutcome(() => parseFhirImport(jsonText(value))))
      }),
      150,
    )
  })

  it('reads a valid bundle with fields deleted, retyped, huge, deeply nested or named __proto__ without throwing anything but a CareKeyError', () => {
    fuzzAssert(
      fc.property(validBundle.chain(mutatedJsonText), (text) => {
        expectStorable(parseOutcome(() => parseFhirImport(text)))
      }),
      250,
    )
  })

  it('reads a single resource changed the same ways', () => {
    fuzzAssert(
      fc.property(seed.chain(mutatedJson), (value) => {
        expectStorable(parseOutcome(() => parseFhirJson(value)))
      }),
      200,
    )
  })

  it('reads NDJSON with changed lines, blank lines and CRLF', () => {
    const ndjson = fc
      .tuple(fc.array(seed.map((r) => JSON.stringify(r)), { minLength: 1, maxLength: 4 }), seed.chain(mutatedJsonText), fc.nat(), fc.constantFrom('\n', '\r\n', '\n\n'))
      .map(([lines, changed, at, newline]) => {
        lines.splice(at % (lines.length + 1), 0, changed)
        return lines.join(newline)
      })
    fuzzAssert(
      fc.property(ndjson, (text) => {
        expectStorable(parseOutcome(() => parseFhirImport(text)))
      }),
      100,
    )
  })

  it('stays within its time budget with long runs of one character in every text field', () => {
    // The inputs that make a backtracking regular expression slow (dates, ids, base64 data):
    // every text field of every kind of resource gets a run of a character chosen for it.
    // A run that does not match to its end (a stray last character) is what makes them backtrack.
    const run = fc.record({ unit: fc.constantFrom(...RUN_UNITS), tail: fc.constantFrom('!', '!', ' !', '') })
    const runs = fc.record({ perField: fc.array(run, { minLength: 64, maxLength: 64 }), length: fc.integer({ min: 32_768, max: 49_152 }) })
    fuzzAssert(
      fc.property(runs, ({ perField, length }) => {
        for (const resource of seeds) {
          let field = 0
          const filled = mapStrings(resource, () => {
            const { unit, tail } = perField[field++ % perField.length] ?? { unit: ' ', tail: '!' }
            return `${unit.repeat(length)}${tail}`
          })
          expectStorable(parseOutcome(() => parseFhirImport(JSON.stringify(filled))))
        }
      }),
      30,
    )
  })

  it('reads a valid file the same however its JSON is laid out', () => {
    fuzzAssert(
      fc.property(validBundle, fc.constantFrom(0, 1, 2, '\t', ' \r\n'), fc.constantFrom('', '\uFEFF', '  \n'), (bundle, indent, before) => {
        const compact = parseFhirImport(JSON.stringify(bundle))
        const laidOut = parseFhirImport(`${before}${JSON.stringify(bundle, null, indent)}\n`)
        expect(laidOut).toEqual(compact)
        expect(compact.rejected).toEqual([])
      }),
      50,
    )
  })
})
