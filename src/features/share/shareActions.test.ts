import 'fake-indexeddb/auto'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { NotYourGrantError } from '../../chain/consentRegistryErrors.ts'
import { buildConsentResource, createGrantTerms, grantCommitment, type ConsentScope } from '../../domain/consent/index.ts'
import { encryptShareFile, newShareId, newShareKey, type ShareAction } from '../../domain/shl/index.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { ShareHostUnreachableError, type FetchLike, type PatientSigner } from '../../shareHost/client.ts'
import { consentsStorageKey, type StoredConsent } from '../../storage/consentsRepository.ts'
import { useDatabaseName } from '../../storage/db.ts'
import { readShare, writeConsentWithShare, type StoredShare } from '../../storage/sharesRepository.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { stopSharing, StopSharingIncompleteError, type StopSharingDeps } from './shareActions.ts'

/**
 * Stop sharing without React: real storage (fake-indexeddb), a real EIP-712 signer, a fake share
 * host (`fetch`) and a revoke that notes when it ran, so each test can see in which order the
 * chain and the host were asked and what is left on this device.
 */
const HOST = 'https://share.example.org'
const registry: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const now = new Date('2026-11-26T10:00:00Z')
const patient = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const signer: PatientSigner = { address: patient.address, signTypedData: (typedData) => patient.signTypedData(typedData) }

let keys: WalletKeys
let n = 0
beforeAll(async () => {
  keys = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
})
beforeEach(async () => {
  await useDatabaseName(`share-actions-${++n}`)
})

/** A recorded consent with its uploaded share, stored on this device. */
async function storedShare(): Promise<{ share: StoredShare; consent: StoredConsent }> {
  const scope: ConsentScope = { categories: ['allergies'], recordIds: [], actions: ['access'] }
  const terms = createGrantTerms(
    { patient: patient.address, grantee: { kind: 'bearer', secret: `0x${'42'.repeat(32)}` }, scope, purpose: 'TREAT', validUntil: new Date('2026-11-27T10:00:00Z') },
    { now },
  )
  const location = { chainId: 31337, registry }
  const consent: StoredConsent = {
    id: 'consent-1',
    ...location,
    terms,
    commitment: grantCommitment(terms, location),
    scope,
    grantee: { kind: 'bearer', secret: `0x${'42'.repeat(32)}` },
    granteeName: undefined,
    resource: buildConsentResource({ terms, scope, location, dateTime: now, status: 'active' }),
    state: 'recorded',
    grantTx: { hash: `0x${'ab'.repeat(32)}`, blockNumber: 7n },
    revokeTx: undefined,
    failure: undefined,
    shareId: 'share-1',
    grantKeyIndex: undefined,
    sentBy: undefined,
    createdAt: now.getTime(),
    updatedAt: now.getTime(),
  }
  const key = newShareKey()
  const share: StoredShare = {
    id: 'share-1',
    consentId: consent.id,
    hostShareId: newShareId(),
    hostUrl: HOST,
    key,
    passcode: undefined,
    label: 'For my doctor',
    flags: ['L'],
    jwe: await encryptShareFile('{"resourceType":"Bundle","type":"collection","entry":[]}', key),
    grant: undefined,
    recordCount: 0,
    state: 'uploaded',
    uploadedAt: now.getTime(),
    stoppedAt: undefined,
    createdAt: now.getTime(),
    updatedAt: now.getTime(),
  }
  await writeConsentWithShare(await consentsStorageKey(keys.root), consent, share)
  return { share, consent }
}

const reread = async (id: string) => readShare(await consentsStorageKey(keys.root), id)

/** What happened, in order: revokes and host requests. */
type Step = `revoke ${Hex}` | `${string} ${string}`

function setup(hostReply: (request: { method: string; url: string }) => Response | Promise<Response>) {
  const steps: Step[] = []
  const fetch: FetchLike = async (url, init) => {
    steps.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`)
    return hostReply({ method: init?.method ?? 'GET', url })
  }
  const deps: StopSharingDeps = {
    keys,
    signer,
    revoke: async (target) => {
      steps.push(`revoke ${target.commitment}`)
    },
    host: { fetch },
  }
  return { steps, deps }
}

const deactivated = (share: StoredShare, consent: StoredConsent): Response =>
  Response.json({
    id: share.hostShareId,
    manifestUrl: `${HOST}/api/shl/${share.hostShareId}`,
    patient: patient.address,
    commitment: consent.commitment,
    status: 'deactivated' satisfies 'active' | 'deactivated' | 'locked',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    passcode: { required: false },
    files: [],
  })

describe('stopSharing', () => {
  it('revokes the consent first, then has the host delete the share, and drops the encrypted file here', async () => {
    const { share, consent } = await storedShare()
    const { steps, deps } = setup(() => deactivated(share, consent))
    const stopped = await stopSharing(deps, { share, consent, revokeFirst: true })
    expect(steps).toEqual([`revoke ${consent.commitment}`, `DELETE /api/shares/${share.hostShareId}`])
    expect(stopped).toMatchObject({ state: 'stopped', jwe: undefined })
    expect(await reread(share.id)).toMatchObject({ state: 'stopped', jwe: undefined })
  })

  it('with the host unreachable, the link is still closed by the revocation; the share stays here to delete later', async () => {
    const { share, consent } = await storedShare()
    const { steps, deps } = setup(() => Promise.reject(new TypeError('fetch failed')))
    const error: unknown = await stopSharing(deps, { share, consent, revokeFirst: true }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StopSharingIncompleteError)
    expect((error as StopSharingIncompleteError).cause).toBeInstanceOf(ShareHostUnreachableError)
    expect(steps).toEqual([`revoke ${consent.commitment}`, `DELETE /api/shares/${share.hostShareId}`])
    expect(await reread(share.id)).toMatchObject({ state: 'uploaded', jwe: share.jwe })
  })

  it('without a revoke (the consent already ended), an unreachable host is said as it is', async () => {
    const { share, consent } = await storedShare()
    const { steps, deps } = setup(() => Promise.reject(new TypeError('fetch failed')))
    await expect(stopSharing(deps, { share, consent, revokeFirst: false })).rejects.toBeInstanceOf(ShareHostUnreachableError)
    expect(steps).toEqual([`DELETE /api/shares/${share.hostShareId}`])
    expect((await reread(share.id))?.state).toBe('uploaded')
  })

  it('counts a share the host no longer knows as stopped', async () => {
    const { share, consent } = await storedShare()
    const { deps } = setup(() => Response.json({ error: 'not_found' }, { status: 404 }))
    await stopSharing(deps, { share, consent, revokeFirst: false })
    expect((await reread(share.id))?.state).toBe('stopped')
  })

  it('signs the host request as the patient, for this share', async () => {
    const { share, consent } = await storedShare()
    const signed: ShareAction[] = []
    const { deps } = setup(() => deactivated(share, consent))
    await stopSharing(
      { ...deps, signer: { address: signer.address, signTypedData: (typedData) => (signed.push(typedData.message.action), signer.signTypedData(typedData)) } },
      { share, consent, revokeFirst: false },
    )
    expect(signed).toEqual(['deactivate-share'])
  })

  it('does nothing while the wallet is locked or when another wallet is connected', async () => {
    const { share, consent } = await storedShare()
    const { steps, deps } = setup(() => deactivated(share, consent))
    await expect(stopSharing({ ...deps, keys: undefined }, { share, consent, revokeFirst: true })).rejects.toBeInstanceOf(WalletLockedError)
    await expect(stopSharing({ ...deps, signer: undefined }, { share, consent, revokeFirst: true })).rejects.toBeInstanceOf(NotYourGrantError)
    expect(steps).toEqual([])
    expect((await reread(share.id))?.state).toBe('uploaded')
  })
})
