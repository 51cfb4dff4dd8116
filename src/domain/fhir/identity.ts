import type { Resource } from '@medplum/fhirtypes'
import { utf8 } from '../crypto/bytes.ts'

/**
 * When two records are the same record. A resource is a duplicate of a stored one when either
 * - they have the same resourceType and the same content, compared as canonical JSON (keys
 *   sorted, no insignificant whitespace) without `id`, `meta` and the generated narrative
 *   `text`, which exports change from one download to the next; or
 * - they have the same resourceType and share a business identifier (system and value), which
 *   the source system keeps stable across exports.
 *
 * Each rule gives a key; two resources are duplicates when they share any key. The keys are
 * kept encrypted with the record, so they survive a backup and a restore.
 */

const IGNORED_TOP_LEVEL = new Set(['id', 'meta', 'text'])

/**
 * JSON with object keys sorted at every level, arrays in their order. Two values with the same
 * content give the same string, whatever order their keys were written in.
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * The duplicate keys of a resource (see the rules above).
 *
 * @example
 * await duplicateKeys({ resourceType: 'Condition', subject: {}, identifier: [{ system: 'urn:x', value: '7' }] })
 * // ['content:Condition:9f2…', 'identifier:Condition:urn:x|7']
 */
export async function duplicateKeys(resource: Resource): Promise<string[]> {
  const content = Object.fromEntries(Object.entries(resource).filter(([key]) => !IGNORED_TOP_LEVEL.has(key)))
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(canonicalJson(content))))
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
  const keys = [`content:${resource.resourceType}:${hex}`]
  const identifier: unknown = Reflect.get(resource, 'identifier')
  const identifiers: unknown[] = Array.isArray(identifier) ? identifier : identifier === undefined ? [] : [identifier]
  for (const id of identifiers) {
    if (typeof id !== 'object' || id === null) continue
    const system: unknown = Reflect.get(id, 'system')
    const value: unknown = Reflect.get(id, 'value')
    if (typeof value === 'string' && value !== '') {
      keys.push(`identifier:${resource.resourceType}:${typeof system === 'string' ? system : ''}|${value}`)
    }
  }
  return keys
}
