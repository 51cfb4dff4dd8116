import type { Resource } from '@medplum/fhirtypes'

/**
 * Following a FHIR reference ("Observation/123", "urn:uuid:…", an absolute URL) from one record
 * to another of the same source: a report to its results. A record is known by the names a
 * reference can use for it (its aliases); a reference matches a record when one of its keys is
 * one of the record's aliases.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TYPE_AND_ID = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/

/**
 * The names other records of the same source may use for this one: `Type/id`, `urn:uuid:id`
 * when its id is a UUID (Synthea and many exports name entries so), and the Bundle entry's
 * fullUrl it came with.
 *
 * @example
 * referenceAliases({ resourceType: 'Observation', id: '9a918a7a-41ea-42c0-a0b1-9236e05144b6', status: 'final', code: {} })
 * // ['Observation/9a918a7a-41ea-42c0-a0b1-9236e05144b6', 'urn:uuid:9a918a7a-41ea-42c0-a0b1-9236e05144b6']
 */
export function referenceAliases(resource: Resource, fullUrl?: string): string[] {
  const aliases = new Set<string>()
  const id = resource.id
  if (id) {
    aliases.add(`${resource.resourceType}/${id}`)
    if (UUID.test(id)) aliases.add(`urn:uuid:${id.toLowerCase()}`)
  }
  if (fullUrl) for (const key of referenceKeys(fullUrl)) aliases.add(key)
  return [...aliases]
}

/**
 * The keys a reference is matched by: the reference itself (a `urn:uuid:` in lower case), and
 * `Type/id` for a relative, absolute or versioned one. None for a reference inside the record (`#…`).
 *
 * @example
 * referenceKeys('https://fhir.example.org/r4/Observation/42/_history/3') // ['https://fhir.example.org/r4/Observation/42/_history/3', 'Observation/42']
 */
export function referenceKeys(reference: string): string[] {
  const text = reference.trim()
  if (text === '' || text.startsWith('#')) return []
  if (/^urn:uuid:/i.test(text)) return [text.toLowerCase()]
  const keys = new Set([text])
  const match = TYPE_AND_ID.exec(text)
  if (match) keys.add(`${match[1]}/${match[2]}`)
  return [...keys]
}

/**
 * The resources among `resources` that references point to, one per reference in its order,
 * undefined where none has that name (a viewer showing a report beside the results shared with it).
 *
 * @example
 * referencedResources(shared, report.result?.map((r) => r.reference) ?? [])
 */
export function referencedResources(resources: readonly Resource[], references: readonly (string | undefined)[]): (Resource | undefined)[] {
  const byAlias = new Map<string, Resource>()
  for (const resource of resources) for (const alias of referenceAliases(resource)) if (!byAlias.has(alias)) byAlias.set(alias, resource)
  return references.map((reference) => referenceKeys(reference ?? '').map((key) => byAlias.get(key)).find(Boolean))
}
