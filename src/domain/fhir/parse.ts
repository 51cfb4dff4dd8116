import type { Resource } from '@medplum/fhirtypes'
import { EmptyImportError, MalformedJsonError, NotFhirError, UnsupportedBundleTypeError, UnsupportedFhirVersionError } from './errors.ts'
import { checkR4Resource, resourceTypeProblem } from './validate.ts'
import { detectOtherFhirVersion } from './version.ts'

/** Bundle types whose entries are records to keep. */
export const IMPORTABLE_BUNDLE_TYPES = ['collection', 'document', 'searchset', 'transaction', 'batch'] as const

/** One resource found in a file, with where it was (for the import summary). */
export type ImportItem = {
  position: string
  resource: Resource
  /** The Bundle entry's fullUrl, when it had one (CareKey's shares name records `urn:uuid:<record id>`). */
  fullUrl?: string
}

/** A part of a file that was not imported, and why, in words for the patient. */
export type ImportRejection = { position: string; resourceType: string | undefined; reason: string }

export type ParsedImport = {
  /** What the file was: a Bundle (and its type), one resource, or NDJSON lines. */
  source: { kind: 'bundle'; bundleType: string } | { kind: 'resource' } | { kind: 'ndjson' }
  items: ImportItem[]
  rejected: ImportRejection[]
}

type Json = Record<string, unknown>

/**
 * Reads a FHIR R4 file as patient portals and Synthea export it: a Bundle (collection,
 * document, searchset, transaction or batch), a single resource, or NDJSON (one resource per
 * line). Resources that fail their checks are listed in `rejected` with the reason; the file
 * as a whole is refused (with a CareKeyError naming the problem) when it is not JSON, not
 * FHIR, empty, or of another FHIR version.
 *
 * @example
 * const { items, rejected } = parseFhirImport('{"resourceType":"Bundle","type":"collection","entry":[...]}')
 */
export function parseFhirImport(input: string): ParsedImport {
  const text = input.replace(/^\uFEFF/, '').trim()
  if (text === '') throw new EmptyImportError('This file')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    if (looksLikeNdjson(text)) return parseNdjson(text)
    throw new MalformedJsonError(jsonErrorPlace(text, cause), { cause })
  }
  return parseFhirJson(value)
}

/**
 * Reads JSON that was already parsed (a decrypted share file, say) as FHIR R4, as parseFhirImport
 * does for a file's text: a Bundle or a single resource, with the same checks and rejections.
 *
 * @example
 * const { items, rejected } = parseFhirJson({ resourceType: 'Bundle', type: 'collection', entry: [...] })
 */
export function parseFhirJson(value: unknown): ParsedImport {
  if (Array.isArray(value)) throw new NotFhirError('it is a JSON list, and a FHIR file is a resource or a Bundle')
  if (!isObject(value)) throw new NotFhirError('it is not a JSON object, and a FHIR file is a resource or a Bundle')
  if (typeof value.resourceType !== 'string' || value.resourceType.trim() === '') throw new NotFhirError(resourceTypeProblem(value.resourceType))
  refuseOtherVersion(value, undefined)
  if (value.resourceType === 'Bundle') return parseBundle(value)
  const item = readResource(value, 'the file')
  return { source: { kind: 'resource' }, ...collect([item]) }
}

function parseBundle(bundle: Json): ParsedImport {
  const type = typeof bundle.type === 'string' ? bundle.type : ''
  if (!(IMPORTABLE_BUNDLE_TYPES as readonly string[]).includes(type)) {
    if (type === '') throw new NotFhirError('it is a Bundle without a type')
    throw new UnsupportedBundleTypeError(type)
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw new NotFhirError('its Bundle.entry is not a list')
  const entries: unknown[] = Array.isArray(bundle.entry) ? bundle.entry : []
  if (entries.length === 0) throw new EmptyImportError('This bundle')
  // Look at every entry's version first: a file of another version is refused as a whole.
  entries.forEach((entry, i) => {
    if (isObject(entry) && isObject(entry.resource)) refuseOtherVersion(entry.resource, `entry ${i + 1}`)
  })
  const results = entries.map((entry, i) => readEntry(entry, `entry ${i + 1}`))
  return { source: { kind: 'bundle', bundleType: type }, ...collect(results) }
}

function readEntry(entry: unknown, position: string): ImportItem | ImportRejection {
  if (!isObject(entry)) return { position, resourceType: undefined, reason: 'the entry is not a JSON object' }
  const request = isObject(entry.request) ? entry.request : undefined
  if (!isObject(entry.resource)) {
    const reason = request?.method === 'DELETE' ? 'it is a delete instruction, not a record' : 'the entry has no resource'
    return { position, resourceType: undefined, reason }
  }
  const search = isObject(entry.search) ? entry.search : undefined
  if (search?.mode === 'outcome') {
    return { position, resourceType: typeName(entry.resource), reason: 'it is a message from the search, not a record' }
  }
  const item = readResource(entry.resource, position)
  return 'resource' in item && typeof entry.fullUrl === 'string' ? { ...item, fullUrl: entry.fullUrl } : item
}

function readResource(value: unknown, position: string): ImportItem | ImportRejection {
  const resourceType = isObject(value) ? typeName(value) : undefined
  if (resourceType === 'Bundle') return { position, resourceType, reason: 'a bundle inside a bundle is not imported; import it on its own' }
  if (resourceType === 'OperationOutcome') return { position, resourceType, reason: 'it is a message from the server, not a record' }
  const check = checkR4Resource(value)
  if (!check.ok) return { position, resourceType, reason: check.reason }
  return { position, resource: check.resource }
}

function parseNdjson(text: string): ParsedImport {
  const lines = text.split(/\r?\n/)
  const parsed: { value: unknown; position: string }[] = []
  const results: (ImportItem | ImportRejection)[] = []
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    const position = `line ${i + 1}`
    try {
      parsed.push({ value: JSON.parse(line), position })
    } catch {
      results.push({ position, resourceType: undefined, reason: 'the line is not valid JSON' })
    }
  })
  if (parsed.length === 0) throw new MalformedJsonError('no line holds a JSON object')
  for (const { value, position } of parsed) if (isObject(value)) refuseOtherVersion(value, position)
  for (const { value, position } of parsed) results.push(readResource(value, position))
  if (!results.some((r) => 'resource' in r || r.resourceType !== undefined)) {
    throw new NotFhirError('none of its lines is a FHIR resource')
  }
  return { source: { kind: 'ndjson' }, ...collect(results) }
}

function collect(results: (ImportItem | ImportRejection)[]): { items: ImportItem[]; rejected: ImportRejection[] } {
  const items: ImportItem[] = []
  const rejected: ImportRejection[] = []
  for (const r of results) {
    if ('resource' in r) items.push(r)
    else rejected.push(r)
  }
  return { items, rejected }
}

function refuseOtherVersion(resource: Json, position: string | undefined): void {
  const other = detectOtherFhirVersion(resource)
  if (other) throw new UnsupportedFhirVersionError(other.version, position ? `${position}: ${other.evidence}` : other.evidence)
}

function looksLikeNdjson(text: string): boolean {
  const first = text.split(/\r?\n/, 1)[0] ?? ''
  if (!text.includes('\n')) return false
  try {
    return isObject(JSON.parse(first))
  } catch {
    return false
  }
}

/** "near line 3" from the parser's error, without quoting the file's content back. */
function jsonErrorPlace(text: string, cause: unknown): string {
  const message = cause instanceof Error ? cause.message : ''
  const position = /position (\d+)/.exec(message)?.[1]
  const lineColumn = /line (\d+) column (\d+)/.exec(message)
  if (lineColumn) return `near line ${lineColumn[1]}`
  if (position !== undefined) return `near line ${text.slice(0, Number(position)).split('\n').length}`
  return 'it could not be read'
}

function typeName(value: Json): string | undefined {
  return typeof value.resourceType === 'string' ? value.resourceType.slice(0, 64) : undefined
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
