import type { CodeableConcept, Consent, ConsentProvision, ConsentProvisionActor, Patient, Reference } from '@medplum/fhirtypes'
import type { Address, Hex } from 'viem'
import { categoryLabel } from '../fhir/categories.ts'
import { grantCommitment, type RegistryLocation } from './commitment.ts'
import { ScopeMismatchError } from './errors.ts'
import { granteeAddress } from './grantee.ts'
import { decodePurpose, purposeOfUse, PURPOSE_OF_USE_SYSTEM } from './purpose.ts'
import { CONSENT_ACTIONS, CONSENT_ACTION_SYSTEM, canonicalScope, scopeHash, type ConsentScope } from './scope.ts'
import { fromUnixSeconds, type GrantTerms } from './terms.ts'

/** Identifier system of a Consent's grant commitment (the value is the 0x-hex commitment). */
export const CAREKEY_GRANT_SYSTEM = 'urn:carekey:grant'
/** Code system of CareKey's record categories (codes: RecordCategory ids). */
export const CAREKEY_RECORD_CATEGORY_SYSTEM = 'urn:carekey:record-category'
/** Identifier system of CareKey record ids, for hand-picked records without a FHIR reference. */
export const CAREKEY_RECORD_ID_SYSTEM = 'urn:carekey:record-id'
/** Identifier system of a bearer grantee (the value is the 0x-hex hash of the bearer secret). */
export const CAREKEY_BEARER_GRANTEE_SYSTEM = 'urn:carekey:bearer-grantee'

const URI_SYSTEM = 'urn:ietf:rfc:3986'
const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope'
const LOINC = 'http://loinc.org'
const PARTICIPATION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType'

/**
 * An account as a URI (a did:pkh DID, which wraps a CAIP-10 account id):
 * `did:pkh:eip155:<chainId>:<address>`.
 *
 * @example
 * accountUri(31337, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266') // 'did:pkh:eip155:31337:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
 */
export function accountUri(chainId: number, address: Address): string {
  return `did:pkh:eip155:${chainId}:${address}`
}

export type ConsentResourceOptions = {
  terms: GrantTerms
  /** The scope the terms' scopeHash was made from. */
  scope: ConsentScope
  /** Where the grant is recorded: named as the Consent's policy. */
  location: RegistryLocation
  /** When the patient granted. */
  dateTime: Date
  /** 'active' once recorded; 'inactive' after a revoke; 'proposed' before signing. */
  status?: Consent['status']
  /**
   * How the Consent names the patient. By default only by the account that granted (already
   * public as the grant's sender): nothing the patient did not choose to add.
   */
  patient?: Reference<Patient>
  /** A name the patient gave the recipient, shown next to the recipient's account. */
  granteeDisplay?: string
  /** A FHIR reference for a hand-picked record; by default an identifier with the record id. */
  recordReference?: (recordId: string) => Reference
}

/**
 * The FHIR R4 Consent resource matching a grant, to store (encrypted) with it and to put in a
 * share: a privacy consent (scope patient-privacy, LOINC 59284-0) that permits the grantee
 * (role IRCP) the chosen actions, for the purpose, during the grant's period, on the chosen
 * categories (provision.code) and records (provision.data). The policy is the registry
 * contract (a CAIP-10 account URI); the identifier is the grant's commitment.
 * Throws ScopeMismatchError when the scope is not the one the terms commit to.
 *
 * @example
 * const consent = buildConsentResource({ terms, scope, location: { chainId, registry }, dateTime: new Date() })
 */
export function buildConsentResource(options: ConsentResourceOptions): Consent {
  const { terms, location } = options
  const scope = canonicalScope(options.scope)
  if (scopeHash(scope) !== terms.scopeHash.toLowerCase()) throw new ScopeMismatchError()
  const purpose = purposeOfUse(decodePurpose(terms.purpose))
  const patient: Reference<Patient> = options.patient ?? {
    identifier: { system: URI_SYSTEM, value: accountUri(location.chainId, terms.patient) },
  }

  const categories: CodeableConcept[] = scope.categories.map((category) => ({
    coding: [{ system: CAREKEY_RECORD_CATEGORY_SYSTEM, code: category, display: categoryLabel(category) }],
    text: categoryLabel(category),
  }))
  const records = scope.recordIds.map((id) => ({
    meaning: 'instance' as const,
    reference: options.recordReference?.(id) ?? { identifier: { system: CAREKEY_RECORD_ID_SYSTEM, value: id } },
  }))
  // The criteria of one provision all apply together; categories and hand-picked records add
  // up instead, so when both are chosen each gets its own nested provision.
  const selection: Pick<ConsentProvision, 'code' | 'data' | 'provision'> =
    records.length === 0
      ? { code: categories }
      : categories.length === 0
        ? { data: records }
        : { provision: [{ type: 'permit', code: categories }, { type: 'permit', data: records }] }

  return {
    resourceType: 'Consent',
    identifier: [{ system: CAREKEY_GRANT_SYSTEM, value: grantCommitment(terms, location) }],
    status: options.status ?? 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: LOINC, code: '59284-0', display: 'Patient Consent' }] }],
    patient,
    dateTime: options.dateTime.toISOString(),
    performer: [patient],
    policy: [{ uri: `eip155:${location.chainId}:${location.registry}` }],
    provision: {
      type: 'permit',
      period: { start: fromUnixSeconds(terms.validFrom).toISOString(), end: fromUnixSeconds(terms.validUntil).toISOString() },
      actor: [granteeActor(terms.grantee, location.chainId, options.granteeDisplay)],
      action: scope.actions.map((code) => {
        const action = CONSENT_ACTIONS.find((a) => a.code === code)
        return { coding: [{ system: CONSENT_ACTION_SYSTEM, code, display: action?.display }] }
      }),
      purpose: [{ system: PURPOSE_OF_USE_SYSTEM, code: purpose.code, display: purpose.display }],
      ...selection,
    },
  }
}

function granteeActor(grantee: Hex, chainId: number, display: string | undefined): ConsentProvisionActor {
  const role = { coding: [{ system: PARTICIPATION_TYPE_SYSTEM, code: 'IRCP', display: 'information recipient' }] }
  const address = granteeAddress(grantee)
  if (address) {
    return { role, reference: { identifier: { system: URI_SYSTEM, value: accountUri(chainId, address) }, display } }
  }
  return {
    role,
    reference: {
      identifier: { system: CAREKEY_BEARER_GRANTEE_SYSTEM, value: grantee.toLowerCase() },
      display: display ?? 'Whoever the patient shows the consent QR code to',
    },
  }
}
