import type { Consent, ConsentProvision } from '@medplum/fhirtypes'
import { CAREKEY_RECORD_CATEGORY_SYSTEM, CAREKEY_RECORD_ID_SYSTEM } from './fhirConsent.ts'
import { CONSENT_ACTION_SYSTEM } from './scope.ts'
import { parseConsentScope, type ConsentScope } from './scope.ts'

/**
 * Reads back the scope a Consent made by `buildConsentResource` describes: its categories
 * (provision.code), hand-picked records (provision.data) and actions, including the nested
 * provisions used when both categories and records were chosen. Undefined when the Consent
 * does not describe a valid CareKey scope (another app's Consent, or a damaged one).
 *
 * @example
 * const scope = scopeOfConsentResource(consent)
 * if (scope && scopeHash(scope) === terms.scopeHash) // the Consent says what the grant committed to
 */
export function scopeOfConsentResource(consent: Consent): ConsentScope | undefined {
  const top = consent.provision
  if (!top) return undefined
  const provisions: ConsentProvision[] = [top, ...(top.provision ?? [])]
  const categories = provisions.flatMap((p) =>
    (p.code ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === CAREKEY_RECORD_CATEGORY_SYSTEM).map((c) => c.code ?? ''),
  )
  const recordIds = provisions.flatMap((p) =>
    (p.data ?? []).map((d) => d.reference.identifier).filter((i) => i?.system === CAREKEY_RECORD_ID_SYSTEM).map((i) => i?.value ?? ''),
  )
  const actions = (top.action ?? []).flatMap((a) => a.coding ?? []).filter((c) => c.system === CONSENT_ACTION_SYSTEM).map((c) => c.code ?? '')
  try {
    return parseConsentScope({ categories, recordIds, actions })
  } catch {
    // Not a scope CareKey can read: the caller reports the scope as unverified.
    return undefined
  }
}
