import { CareKeyError } from '../errors.ts'

const EXPORT_HINT = 'Choose a FHIR R4 export: a .json file (a Bundle or a single resource) or an .ndjson file with one resource per line.'

/** The file could not be read as JSON or NDJSON. */
export class MalformedJsonError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`This file is not valid JSON (${detail}), so nothing was imported.`, EXPORT_HINT, options)
  }
}

/** Valid JSON, but not a FHIR resource, bundle or NDJSON of resources. */
export class NotFhirError extends CareKeyError {
  constructor(detail: string) {
    super(`This file is JSON but not FHIR: ${detail}. Nothing was imported.`, EXPORT_HINT)
  }
}

/** The file is FHIR of another version than R4. */
export class UnsupportedFhirVersionError extends CareKeyError {
  constructor(
    readonly version: 'R5' | 'STU3',
    evidence: string,
  ) {
    super(
      `This file is FHIR ${version}, and CareKey reads FHIR R4 only (${evidence}). Nothing was imported.`,
      version === 'R5'
        ? 'Ask your patient portal for an R4 export (most offer one), or convert the file to R4 with a FHIR version converter.'
        : 'This is an older FHIR version. Ask your patient portal for a newer (R4) export, or convert the file to R4.',
    )
  }
}

/** A Bundle with no entries, or a file with nothing in it. */
export class EmptyImportError extends CareKeyError {
  constructor(what: string) {
    super(`${what} has no records in it, so nothing was imported.`, 'Check that you chose the right file.')
  }
}

/** A Bundle type that carries no records to keep (history, responses, subscription notifications). */
export class UnsupportedBundleTypeError extends CareKeyError {
  constructor(type: string) {
    super(
      `This is a FHIR bundle of type “${type}”, which holds no records to keep. Nothing was imported.`,
      'CareKey imports bundles of type collection, document, searchset, transaction and batch.',
    )
  }
}

/** A file larger than CareKey accepts for this purpose. */
export class FileTooLargeError extends CareKeyError {
  constructor(what: string, size: number, limit: number) {
    super(
      `This ${what} is ${formatBytes(size)}; CareKey accepts ${what}s up to ${formatBytes(limit)}. Nothing was changed.`,
      'Split the export into smaller files, or choose a smaller file.',
    )
  }
}

/**
 * A byte count for people: "812 bytes", "4.2 MB", "1.3 GB" (decimal units, as file managers show).
 *
 * @example
 * formatBytes(26_214_400) // '26.2 MB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value >= 100 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`
}
