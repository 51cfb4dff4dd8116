/**
 * Test support (never bundled: tsconfig.app.json leaves src/test out): a consent and a share as
 * this device stores them, with real grant terms, commitment and FHIR Consent, for the tests of
 * storage and of the features that read them. Each test states what matters to it and leaves
 * the rest to these defaults.
 */
import type { Address } from 'viem'
import {
  buildConsentResource,
  createGrantTerms,
  grantCommitment,
  type ConsentScope,
  type GranteeChoice,
} from '../domain/consent/index.ts'
import type { StoredConsent } from '../storage/consentsRepository.ts'
import type { StoredShare } from '../storage/sharesRepository.ts'

/** The local anvil chain and the registry address its first deployment gets. */
export const FIXTURE_LOCATION = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
/** When fixture grants are made, unless a test says otherwise. */
export const FIXTURE_GRANTED_AT = new Date('2026-11-26T10:00:00Z')
/** anvil's first account. */
export const FIXTURE_PATIENT: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
/** anvil's second account, the default grantee. */
export const FIXTURE_CLINICIAN: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

export type StoredConsentFixture = Partial<Omit<StoredConsent, 'terms' | 'commitment' | 'resource' | 'grantee' | 'scope'>> & {
  /** What the terms are made of (the commitment and the FHIR Consent follow from them). */
  patient?: Address
  grantee?: GranteeChoice
  scope?: ConsentScope
  grantedAt?: Date
  /** One day after `grantedAt` unless given. */
  validUntil?: Date
}

/**
 * A recorded consent for a clinician's address: allergies, for treatment, for one day.
 *
 * @example
 * const consent = storedConsentFixture({ id: 'c-1', patient: wallet.account.address, state: 'submitted' })
 */
export function storedConsentFixture(fixture: StoredConsentFixture = {}): StoredConsent {
  const { patient = FIXTURE_PATIENT, grantee = { kind: 'address', address: FIXTURE_CLINICIAN }, grantedAt = FIXTURE_GRANTED_AT, ...rest } = fixture
  const { scope = { categories: ['allergies'], recordIds: [], actions: ['access'] }, validUntil, ...overrides } = rest
  const terms = createGrantTerms(
    { patient, grantee, scope, purpose: 'TREAT', validUntil: validUntil ?? new Date(grantedAt.getTime() + 86_400_000) },
    { now: grantedAt },
  )
  return {
    id: 'c-1',
    ...FIXTURE_LOCATION,
    terms,
    commitment: grantCommitment(terms, FIXTURE_LOCATION),
    scope,
    grantee,
    granteeName: undefined,
    resource: buildConsentResource({ terms, scope, location: FIXTURE_LOCATION, dateTime: grantedAt }),
    state: 'recorded',
    grantTx: undefined,
    revokeTx: undefined,
    failure: undefined,
    shareId: undefined,
    grantKeyIndex: undefined,
    sentBy: undefined,
    createdAt: grantedAt.getTime(),
    updatedAt: grantedAt.getTime(),
    ...overrides,
  }
}

/**
 * An uploaded share of consent 'c-1' at the local share host, without a passcode.
 *
 * @example
 * const share = storedShareFixture({ id: 's-1', passcode: '2468', flags: ['L', 'P'] })
 */
export function storedShareFixture(overrides: Partial<StoredShare> = {}): StoredShare {
  return {
    id: 's-1',
    consentId: 'c-1',
    hostShareId: 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM',
    hostUrl: 'http://localhost:8787',
    key: 'rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q',
    passcode: undefined,
    label: 'CareKey shared records',
    flags: ['L'],
    jwe: undefined,
    grant: undefined,
    recordCount: 1,
    state: 'uploaded',
    uploadedAt: FIXTURE_GRANTED_AT.getTime(),
    stoppedAt: undefined,
    createdAt: FIXTURE_GRANTED_AT.getTime(),
    updatedAt: FIXTURE_GRANTED_AT.getTime(),
    ...overrides,
  }
}
