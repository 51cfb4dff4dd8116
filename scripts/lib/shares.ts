import type { AllergyIntolerance, Bundle, MedicationStatement, Observation, Resource } from '@medplum/fhirtypes'
import { createPublicClient, createTestClient, createWalletClient, http, parseEther, type Address, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi } from '../../contracts/generated/ConsentRegistry.ts'
import { createShare, readShareAccessLog, type FetchLike } from '../../src/shareHost/client.ts'
import {
  buildConsentResource,
  createGrantTerms,
  fromUnixSeconds,
  grantCommitment,
  sharedDataHash,
  type ConsentScope,
  type GranteeChoice,
  type GrantTerms,
} from '../../src/domain/consent/index.ts'
import {
  careKeyExtension,
  careKeyShareLink,
  encryptShareFile,
  encryptShareGrant,
  manifestUrlFor,
  newShareId,
  newShareKey,
  shlinkViewerUrl,
  type ShareAccessLog,
  type ShlFlag,
} from '../../src/domain/shl/index.ts'

/** Where the end-to-end tests' app, chain and share host are. */
export type E2eStack = {
  baseUrl: string
  rpcUrl: string
  registry: Address
  shareHostUrl: string
  /** How Node reaches the share host, when not at shareHostUrl itself (a test's own chain: e2e/support/ownChain.ts). */
  shareHostFetch?: FetchLike
}

/** The local stack the end-to-end global setup started. */
export function e2eStack(): E2eStack {
  const env = (name: string) => {
    const value = process.env[name]
    if (!value) throw new Error(`${name} is not set: run the tests through playwright.config.ts`)
    return value
  }
  return {
    baseUrl: env('CAREKEY_E2E_BASE_URL'),
    rpcUrl: env('CAREKEY_E2E_RPC_URL'),
    registry: env('CAREKEY_E2E_REGISTRY') as Address,
    shareHostUrl: env('CAREKEY_E2E_SHARE_HOST_URL'),
  }
}

export const sampleAllergy: AllergyIntolerance = {
  resourceType: 'AllergyIntolerance',
  patient: { display: 'Patient' },
  code: { text: 'Peanut allergy' },
  criticality: 'high',
  recordedDate: '2024-03-02',
}
export const sampleMedication: MedicationStatement = {
  resourceType: 'MedicationStatement',
  status: 'active',
  subject: { display: 'Patient' },
  medicationCodeableConcept: { text: 'Metformin 500 mg tablet' },
  effectiveDateTime: '2025-01-10',
}
export const sampleLab: Observation = {
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { text: 'Hemoglobin A1c' },
  valueQuantity: { value: 6.1, unit: '%' },
  effectiveDateTime: '2025-06-01',
}

export type TestShareOptions = {
  records?: Resource[]
  scope?: ConsentScope
  passcode?: string
  /** Hours of validity from now (on the chain's clock). */
  hours?: number
  /** Share other bytes than the grant commits to, as a tampered host would serve. */
  tamper?: boolean
  /** Grant to "whoever holds this QR" instead of a clinician address. */
  bearer?: boolean
  /** The long link CareKey made before the grant moved to the share host: the terms in `_ck`, with `exp` and the label. */
  grantInLink?: boolean
}

export type TestShare = {
  link: string
  patient: PrivateKeyAccount
  terms: GrantTerms
  commitment: Hex
  revoke(): Promise<void>
  /** The share's access log, read from the host as the patient's app does (signed by the patient). */
  accessLog(): Promise<ShareAccessLog>
}

/**
 * A share made as the patient's app made it before grants had keys of their own, from Node: a
 * fresh funded patient account sending a direct `grant` (which the viewer and the share host
 * must keep honouring) on the real chain, committing to the exact bytes shared, the Bundle (records +
 * Consent) encrypted and uploaded to the real share host with the grant beside it (labelled
 * "Shared records"), and the short viewer link (`"_ck":2`); with `grantInLink`, the long link
 * of shares made before, which carries the grant. For testing the clinician's side on its own.
 * On the global setup's stack, or on `stack` (a test's own chain, e2e/support/ownChain.ts).
 */
export async function createTestShare(options: TestShareOptions = {}, stack: E2eStack = e2eStack()): Promise<TestShare> {
  const chain = { ...foundry, rpcUrls: { default: { http: [stack.rpcUrl] } } }
  const patient = privateKeyToAccount(generatePrivateKey())
  const publicClient = createPublicClient({ chain, transport: http(stack.rpcUrl) })
  await createTestClient({ chain, mode: 'anvil', transport: http(stack.rpcUrl) }).setBalance({ address: patient.address, value: parseEther('1') })
  const wallet = createWalletClient({ account: patient, chain, transport: http(stack.rpcUrl) })
  const location = { chainId: chain.id, registry: stack.registry }

  const records = options.records ?? [sampleAllergy, sampleMedication]
  const scope = options.scope ?? { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }
  const now = new Date(Number((await publicClient.getBlock()).timestamp) * 1000)
  const grantee: GranteeChoice = options.bearer
    ? { kind: 'bearer', secret: `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}` }
    : { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }
  const draft = { patient: patient.address, grantee, scope, purpose: 'TREAT', validUntil: new Date(now.getTime() + (options.hours ?? 24) * 3_600_000) }
  const provisional = createGrantTerms(draft, { now })
  const { identifier: _commitment, ...consent } = buildConsentResource({ terms: provisional, scope, location, dateTime: now })
  const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [...records, consent].map((resource) => ({ resource })) }
  const bytes = new TextEncoder().encode(JSON.stringify(bundle))
  const terms = createGrantTerms(
    { ...draft, validFrom: fromUnixSeconds(provisional.validFrom), dataHash: await sharedDataHash(bytes) },
    { now, salt: provisional.salt },
  )
  const commitment = grantCommitment(terms, location)

  const grantHash = await wallet.writeContract({ address: stack.registry, abi: consentRegistryAbi, functionName: 'grant', args: [commitment, terms.validUntil] })
  await publicClient.waitForTransactionReceipt({ hash: grantHash })

  const key = newShareKey()
  const shareId = newShareId()
  const shared = options.tamper ? new TextEncoder().encode(JSON.stringify(bundle).replace('Peanut', 'Pollen')) : bytes
  const target = { hostUrl: stack.shareHostUrl, chainId: chain.id, registry: stack.registry, ...(stack.shareHostFetch && { fetch: stack.shareHostFetch }) }
  const signer = { address: patient.address, signTypedData: (typedData: Parameters<typeof patient.signTypedData>[0]) => patient.signTypedData(typedData) }
  const grant = { chainId: chain.id, registry: stack.registry, terms, ...(grantee.kind === 'bearer' && { bearerSecret: grantee.secret }) }
  const label = 'Shared records'
  await createShare(target, signer, {
    id: shareId,
    patient: patient.address,
    commitment,
    ...(options.passcode !== undefined && { passcode: options.passcode }),
    files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile(shared, key) }],
    ...(!options.grantInLink && { grant: await encryptShareGrant({ ...grant, label }, key) }),
  })
  const flags: ShlFlag[] = options.passcode === undefined ? ['L'] : ['L', 'P']
  const manifestUrl = manifestUrlFor(stack.shareHostUrl, shareId)
  const link = options.grantInLink
    ? shlinkViewerUrl(`${stack.baseUrl}/view`, { url: manifestUrl, key, exp: Number(terms.validUntil), flags, label, extensions: careKeyExtension(grant) })
    : careKeyShareLink(`${stack.baseUrl}/view`, { manifestUrl, key, flags })
  return {
    link,
    patient,
    terms,
    commitment,
    accessLog: () => readShareAccessLog(target, signer, shareId),
    async revoke() {
      const hash = await wallet.writeContract({ address: stack.registry, abi: consentRegistryAbi, functionName: 'revoke', args: [commitment] })
      await publicClient.waitForTransactionReceipt({ hash })
    },
  }
}
