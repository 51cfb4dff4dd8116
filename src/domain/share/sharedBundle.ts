import type { Consent, Resource } from '@medplum/fhirtypes'
import { NO_SHARED_DATA, scopeHash, scopeOfConsentResource, sharedDataHash, type ConsentScope } from '../consent/index.ts'
import { categoryOf } from '../fhir/categories.ts'
import { parseFhirJson, type ImportRejection } from '../fhir/parse.ts'
import type { ShareGrantTerms } from '../shl/carekeyExtension.ts'

/** What a viewer learns from checking a decrypted share against the grant behind it. */
export type SharedBundleCheck = {
  /** The shared records, in the order the patient shared them (the Consent is kept apart). */
  resources: Resource[]
  /** The FHIR Consent the patient's app put in the share, if any. */
  consent: Consent | undefined
  /** Entries that are not readable FHIR R4 records, with the reason. */
  rejected: ImportRejection[]
  /**
   * 'match': the bytes are exactly what the grant committed to; 'mismatch': they were changed
   * or swapped (tampered); 'not-committed': the grant commits to no data (or there is no grant).
   */
  data: 'match' | 'mismatch' | 'not-committed'
  /**
   * 'match': the share's Consent describes exactly the scope the grant committed to;
   * 'mismatch': it describes another; 'unverified': no readable CareKey Consent in the share.
   */
  scope: 'match' | 'mismatch' | 'unverified'
  /** Records whose category the consented scope does not include (when it names categories only). */
  outOfScope: Resource[]
  scopeRead: ConsentScope | undefined
}

/** A decrypted share file: its exact bytes, and their JSON as the share host client parsed it. */
export type DecryptedShareFile = { plaintext: Uint8Array; content: unknown }

/**
 * Checks a decrypted share file: reads its JSON as FHIR R4 (throwing the parser's CareKeyError
 * when it is not FHIR), compares the SHA-256 of its bytes with the grant's data hash, reads the
 * scope back from the share's Consent and lists any record outside it. The JSON is the one the
 * file was parsed into when it was opened; it is not parsed again.
 *
 * @example
 * const check = await checkSharedBundle(file, info.terms) // file: { plaintext, content } from openShareLink
 * if (check.data === 'mismatch') showTampered()
 */
export async function checkSharedBundle(file: DecryptedShareFile, terms: ShareGrantTerms | undefined): Promise<SharedBundleCheck> {
  const { plaintext } = file
  const parsed = parseFhirJson(file.content)
  const all = parsed.items.map((i) => i.resource)
  const recordIdOf = new Map(parsed.items.flatMap((i) => (i.fullUrl?.startsWith('urn:uuid:') ? [[i.resource, i.fullUrl.slice(9)] as const] : [])))
  const consent = all.find((r): r is Consent => r.resourceType === 'Consent')
  const resources = all.filter((r) => r !== consent)

  const committed = terms && terms.dataHash.toLowerCase() !== NO_SHARED_DATA.toLowerCase()
  const data = !committed ? 'not-committed' : (await sharedDataHash(plaintext)) === terms.dataHash.toLowerCase() ? 'match' : 'mismatch'

  const scopeRead = consent ? scopeOfConsentResource(consent) : undefined
  const scope = !scopeRead || !terms ? 'unverified' : scopeHash(scopeRead) === terms.scopeHash.toLowerCase() ? 'match' : 'mismatch'
  // A record is in scope by its category, or when hand-picked, by its CareKey id (the entry's
  // `fullUrl`, urn:uuid:<id>).
  const outOfScope = scopeRead
    ? resources.filter((r) => {
        const id = recordIdOf.get(r)
        return !scopeRead.categories.includes(categoryOf(r)) && !(id !== undefined && scopeRead.recordIds.includes(id))
      })
    : []

  return { resources, consent, rejected: parsed.rejected, data, scope, outOfScope, scopeRead }
}

