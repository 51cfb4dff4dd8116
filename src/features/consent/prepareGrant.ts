import type { Bundle, BundleEntry, Consent, Resource } from '@medplum/fhirtypes'
import { commitmentIn, type ConsentRegistryDeployment } from '../../chain/consentRegistry.ts'
import {
  buildConsentResource,
  createGrantTerms,
  fromUnixSeconds,
  newBearerSecret,
  newGrantSalt,
  sharedDataHash,
  type GranteeChoice,
} from '../../domain/consent/index.ts'
import { utf8 } from '../../domain/crypto/bytes.ts'
import { encryptShareFile, encryptShareGrant, newShareId, newShareKey, type ShlFlag } from '../../domain/shl/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import type { GrantChoices } from './grantForm.ts'

/** A record going into a share: its CareKey id and its FHIR resource. */
export type ShareRecord = { id: string; resource: Resource }

/** A grant ready to be signed, with its share (encrypted, not yet uploaded) if it makes one. */
export type PreparedGrant = { consent: StoredConsent; share: StoredShare | undefined }

export type GrantPreparation = {
  choices: GrantChoices
  registry: ConsentRegistryDeployment
  /** The share host the share will be uploaded to. */
  hostUrl: string
  now: Date
  /** The records in the grant's scope, decrypted; called only when the grant makes a share. */
  readRecords: () => Promise<ShareRecord[]>
  /** The per-grant key that makes the grant: its index, whose address is `choices.patient`. */
  grantKeyIndex: number
  /** Random ids for the stored grant and share; crypto.randomUUID by default. */
  newId?: () => string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Makes everything a grant needs before it is signed, on this device: the terms with a fresh
 * salt (and bearer secret), the FHIR Consent, and for a grant with a share the FHIR Bundle of
 * the records in scope plus the Consent, its SHA-256 as the terms' data hash, and the Bundle
 * encrypted (JWE) under a fresh 32-byte key, with the grant (terms, bearer secret, label)
 * encrypted under the same key for the host to keep beside it. Nothing leaves the device.
 *
 * The Consent inside the shared Bundle carries no grant identifier: the identifier is the
 * commitment, which depends on the data hash of the very Bundle it would sit in. The viewer
 * checks the Bundle against the data hash in the terms instead.
 *
 * @example
 * const { consent, share } = await prepareGrant({ choices, registry, hostUrl: appConfig.shareHostUrl, now: new Date(), readRecords })
 */
export async function prepareGrant(preparation: GrantPreparation): Promise<PreparedGrant> {
  const { choices, registry, now } = preparation
  const newId = preparation.newId ?? (() => crypto.randomUUID())
  const location = { chainId: registry.chainId, registry: registry.address }
  const grantee: GranteeChoice =
    choices.grantee.kind === 'address' ? { kind: 'address', address: choices.grantee.address } : { kind: 'bearer', secret: newBearerSecret() }
  const salt = newGrantSalt()
  const draft = { patient: choices.patient, grantee, scope: choices.scope, purpose: choices.purpose, validUntil: choices.validUntil }
  const provisional = createGrantTerms(draft, { now, salt })
  const consentFor = (terms: typeof provisional, status: Consent['status']) =>
    buildConsentResource({ terms, scope: choices.scope, location, dateTime: now, status, granteeDisplay: choices.granteeName })

  const consentId = newId()
  let terms = provisional
  let share: StoredShare | undefined
  if (choices.share) {
    const records = await preparation.readRecords()
    const { identifier: _commitment, ...sharedConsent } = consentFor(provisional, 'active')
    const bytes = utf8.encode(JSON.stringify(shareBundle(sharedConsent, records, now)))
    terms = createGrantTerms({ ...draft, validFrom: fromUnixSeconds(provisional.validFrom), dataHash: await sharedDataHash(bytes) }, { now, salt })
    const key = newShareKey()
    const flags: ShlFlag[] = choices.share.passcode === undefined ? ['L'] : ['L', 'P']
    share = {
      id: newId(),
      consentId,
      hostShareId: newShareId(),
      hostUrl: preparation.hostUrl,
      key,
      passcode: choices.share.passcode,
      label: choices.share.label,
      flags,
      jwe: await encryptShareFile(bytes, key),
      grant: await encryptShareGrant(
        { ...location, terms, ...(grantee.kind === 'bearer' && { bearerSecret: grantee.secret }), label: choices.share.label },
        key,
      ),
      recordCount: records.length,
      state: 'prepared',
      uploadedAt: undefined,
      stoppedAt: undefined,
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
    }
  }

  const consent: StoredConsent = {
    id: consentId,
    ...location,
    terms,
    commitment: commitmentIn(registry, terms),
    scope: choices.scope,
    grantee,
    granteeName: choices.granteeName,
    resource: consentFor(terms, 'proposed'),
    state: 'signing',
    grantTx: undefined,
    revokeTx: undefined,
    failure: undefined,
    shareId: share?.id,
    grantKeyIndex: preparation.grantKeyIndex,
    sentBy: undefined,
    createdAt: now.getTime(),
    updatedAt: now.getTime(),
  }
  return { consent, share }
}

/**
 * The FHIR R4 Bundle a share holds: a `collection` with the Consent first, then the records.
 * Each record's entry is named `urn:uuid:<CareKey record id>`, the id hand-picked records have
 * in the Consent's provision.data, so a viewer can tell which entries were picked.
 *
 * @example
 * const bundle = shareBundle(consent, [{ id: summary.id, resource }], new Date())
 */
export function shareBundle(consent: Consent, records: readonly ShareRecord[], now: Date): Bundle {
  const entry: BundleEntry[] = [
    { resource: consent },
    ...records.map(({ id, resource }) => ({ ...(UUID.test(id) && { fullUrl: `urn:uuid:${id.toLowerCase()}` }), resource })),
  ]
  return { resourceType: 'Bundle', type: 'collection', timestamp: now.toISOString(), entry }
}
