import type { Bundle } from '@medplum/fhirtypes'
import { recoverTypedDataAddress, UserRejectedRequestError, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { SignatureRejectedError } from '../../chain/errors.ts'
import { createGrantTerms, newBearerSecret, sharedDataHash } from '../../domain/consent/index.ts'
import { NotFhirError } from '../../domain/fhir/errors.ts'
import {
  careKeyExtension,
  careKeyShareLink,
  encodeShlink,
  encryptShareFile,
  encryptShareGrant,
  manifestUrlFor,
  newShareId,
  newShareKey,
  recipientProofSchema,
  recipientProofTypedData,
  ShareFileUnreadableError,
  ShareGrantMissingError,
  shlinkViewerUrl,
  type ShareGrant,
  type ShlContentType,
  type ShlFlag,
} from '../../domain/shl/index.ts'
import {
  ShareHostBusyError,
  ShareHostUnreachableError,
  ShareLockedError,
  ShareNotAvailableError,
  ShareTooManyFilesError,
  WrongSharePasscodeError,
  type FetchLike,
  type RecipientSigner,
} from '../../shareHost/client.ts'
import { commitmentIn } from '../../chain/consentRegistry.ts'
import { UnexpectedChainReplyError } from '../../chain/consentRegistryErrors.ts'
import { fakeRegistryChain } from '../../test/fakeRegistryChain.ts'
import {
  BearerSecretMismatchError,
  closesShareForGood,
  grantInLink,
  NoSharedRecordsError,
  openRecordsFile,
  openSharedLink,
  readLinkGrant,
  readSharedGrant,
  readViewerLink,
  ShareHostNotReachableError,
  type OpenSharedLinkDeps,
} from './viewerActions.ts'

/**
 * The viewer's open step without React: links made as the patient's app makes them, a share
 * host played by a fake `fetch`, and each way opening can fail mapped to the error the
 * clinician is shown.
 */
const HOST = 'https://share.example.org'
const registry: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const patient: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const now = new Date('2026-11-26T10:00:00Z')
const allergy = { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut' } } as const
const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: allergy }] }
const bytes = new TextEncoder().encode(JSON.stringify(bundle))

/** A link to a share of `bundle`: a plain SMART Health Link, or CareKey's with its grant's terms. */
async function link(options: { flags?: ShlFlag[]; carekey?: boolean; committedTo?: Uint8Array } = {}) {
  const key = newShareKey()
  const terms = createGrantTerms(
    {
      patient,
      grantee: { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
      scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date('2026-11-27T10:00:00Z'),
      dataHash: await sharedDataHash(options.committedTo ?? bytes),
    },
    { now },
  )
  const url = shlinkViewerUrl('https://carekey.example.org/view', {
    url: manifestUrlFor(HOST, newShareId()),
    key,
    flags: options.flags ?? ['L'],
    ...(options.carekey && { extensions: careKeyExtension({ chainId: 31337, registry, terms }) }),
  })
  const viewer = grantInLink(readViewerLink(new URL(url).hash))
  if (!viewer) throw new Error('expected a link that carries its grant')
  return { viewer, key }
}

const json = (body: unknown, status = 200) => Response.json(body, { status })

/** A host that answers the manifest request with `reply`, and notes each request's body. */
function host(reply: () => Response | Promise<Response>) {
  const bodies: Record<string, unknown>[] = []
  const fetch: FetchLike = async (_url, init) => {
    bodies.push(typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {})
    return reply()
  }
  return { fetch, bodies }
}

const manifestWith = async (file: { key: string; contentType?: ShlContentType; content?: string }) => {
  const contentType = file.contentType ?? 'application/fhir+json'
  return json({ files: [{ contentType, embedded: await encryptShareFile(file.content ?? JSON.stringify(bundle), file.key, { contentType }) }] })
}

const open = (deps: OpenSharedLinkDeps, viewer: Awaited<ReturnType<typeof link>>['viewer'], passcode = '', proveAddress = false) =>
  openSharedLink(deps, { viewer, recipient: '  Dr. Ada Lovelace ', passcode, proveAddress })

describe('openSharedLink', () => {
  it('opens a share: the records, checked against the data hash the grant committed to, with the name the clinician gave', async () => {
    const { viewer, key } = await link({ carekey: true })
    const { fetch, bodies } = host(() => manifestWith({ key }))
    const opened = await open({ fetch }, viewer)
    expect(opened.resources).toEqual([allergy])
    expect(opened.data).toBe('match')
    expect(new TextDecoder().decode(opened.plaintext)).toBe(JSON.stringify(bundle))
    expect(bodies).toMatchObject([{ recipient: 'Dr. Ada Lovelace' }])
    expect(bodies[0]).not.toHaveProperty('passcode')
  })

  it('says when the share is not the data the consent fixed (tampered)', async () => {
    const { viewer, key } = await link({ carekey: true, committedTo: new TextEncoder().encode('other bytes') })
    expect((await open({ fetch: host(() => manifestWith({ key })).fetch }, viewer)).data).toBe('mismatch')
  })

  it('sends the passcode only to a link that asks for one; a wrong one says how many attempts are left', async () => {
    const { viewer } = await link({ flags: ['L', 'P'] })
    const { fetch, bodies } = host(() => json({ remainingAttempts: 2 }, 401))
    const error: unknown = await open({ fetch }, viewer, '1234').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WrongSharePasscodeError)
    expect((error as WrongSharePasscodeError).userMessage).toBe('That passcode is not right. 2 attempts left.')
    expect(bodies).toMatchObject([{ passcode: '1234' }])
  })

  it('maps each way the host can fail to the error the clinician sees', async () => {
    const { viewer, key } = await link()
    const cases: [() => Response | Promise<Response>, new (...args: never[]) => Error][] = [
      [() => json({ error: 'not_found' }, 404), ShareNotAvailableError],
      [() => json({ error: 'share_locked' }, 404), ShareLockedError],
      [() => Promise.reject(new TypeError('fetch failed')), ShareHostUnreachableError],
      [() => new Response('', { status: 503, headers: { 'retry-after': '30' } }), ShareHostBusyError],
      [() => manifestWith({ key: newShareKey() }), ShareFileUnreadableError],
      [() => manifestWith({ key, contentType: 'application/smart-health-card', content: '{"verifiableCredential":[]}' }), NoSharedRecordsError],
      [() => manifestWith({ key, content: '{"hello":1}' }), NotFhirError],
      [() => json({ files: Array.from({ length: 21 }, (_, i) => ({ contentType: 'application/fhir+json', location: `${HOST}/f/${i}` })) }), ShareTooManyFilesError],
    ]
    for (const [reply, expected] of cases) {
      await expect(open({ fetch: host(reply).fetch }, viewer)).rejects.toBeInstanceOf(expected)
    }
  })

  it('decrypts only the records file it shows; each other one only when the clinician opens it', async () => {
    const { viewer, key } = await link()
    const other: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { ...allergy, code: { text: 'Pollen' } } }] }
    const files = [
      // Not records, and not under the link's key: opening it would fail.
      { contentType: 'application/smart-health-card', embedded: await encryptShareFile('{}', newShareKey(), { contentType: 'application/smart-health-card' }) },
      { contentType: 'application/fhir+json', embedded: await encryptShareFile(JSON.stringify(bundle), key) },
      { contentType: 'application/fhir+json', embedded: await encryptShareFile(JSON.stringify(other), key) },
      { contentType: 'application/fhir+json', embedded: await encryptShareFile(JSON.stringify(bundle), newShareKey()) },
    ]
    const opened = await open({ fetch: host(() => json({ files })).fetch }, viewer)
    expect([opened.resources, opened.shown, opened.recordFiles.length]).toEqual([[allergy], 0, 3])

    const second = await openRecordsFile(viewer, opened.recordFiles, 1)
    expect([second.resources.map((r) => (r as typeof allergy).code.text), second.shown]).toEqual([['Pollen'], 1])
    expect(new TextDecoder().decode(second.plaintext)).toBe(JSON.stringify(other))
    await expect(openRecordsFile(viewer, opened.recordFiles, 2)).rejects.toBeInstanceOf(ShareFileUnreadableError)
  })

  it('refuses a link to a share host this viewer may not reach, by name and before any request; one it may reach opens', async () => {
    const { viewer, key } = await link()
    const { fetch, bodies } = host(() => manifestWith({ key }))
    const refused = await open({ fetch, reachableOrigins: ['https://carekey.example.org', 'https://rpc.example.org'] }, viewer).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ShareHostNotReachableError)
    expect((refused as ShareHostNotReachableError).userMessage).toBe('This link points to a share host CareKey is not set up to reach (share.example.org).')
    expect(bodies).toEqual([])
    expect((await open({ fetch, reachableOrigins: ['https://carekey.example.org', HOST] }, viewer)).resources).toEqual([allergy])
  })

  it('proves the clinician’s address only when they asked and the link is CareKey’s; a declined signature says so', async () => {
    const clinician = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
    const wallet: RecipientSigner = { address: clinician.address, signTypedData: (typedData) => clinician.signTypedData(typedData) }
    let connected = 0
    const connectRecipient = async () => {
      connected++
      return wallet
    }
    const carekey = await link({ carekey: true })
    const plain = await link()

    const signed = host(() => manifestWith({ key: carekey.key }))
    await open({ fetch: signed.fetch, connectRecipient }, carekey.viewer, '', true)
    expect(signed.bodies[0]?._recipientProof).toMatchObject({ address: clinician.address })

    const unsigned = host(() => manifestWith({ key: plain.key }))
    await open({ fetch: unsigned.fetch, connectRecipient }, plain.viewer, '', true)
    expect(unsigned.bodies[0]).not.toHaveProperty('_recipientProof')
    expect(connected).toBe(1)

    const declining: RecipientSigner = { address: clinician.address, signTypedData: () => Promise.reject(new UserRejectedRequestError(new Error('User rejected.'))) }
    await expect(
      open({ fetch: host(() => manifestWith({ key: carekey.key })).fetch, connectRecipient: async () => declining }, carekey.viewer, '', true),
    ).rejects.toBeInstanceOf(SignatureRejectedError)
  })
})

describe('closesShareForGood', () => {
  it('calls a link locked by wrong passcodes locked, whether the host says so or the last attempt was just used', () => {
    expect(closesShareForGood(new ShareLockedError())).toBe('locked')
    expect(closesShareForGood(new WrongSharePasscodeError(0, true))).toBe('locked')
  })

  it('calls a share the host no longer serves closed, and leaves everything that may pass to the form', () => {
    expect(closesShareForGood(new ShareNotAvailableError())).toBe('closed')
    expect(closesShareForGood(new WrongSharePasscodeError(2, true))).toBeUndefined()
    expect(closesShareForGood(new WrongSharePasscodeError(2, false))).toBeUndefined()
    expect(closesShareForGood(new ShareHostUnreachableError())).toBeUndefined()
    expect(closesShareForGood(new ShareHostBusyError(30))).toBeUndefined()
  })
})

describe('readViewerLink', () => {
  it('refuses a "whoever holds this QR" link without its secret', async () => {
    const terms = createGrantTerms(
      {
        patient,
        grantee: { kind: 'bearer', secret: newBearerSecret() },
        scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
        purpose: 'TREAT',
        validUntil: new Date('2026-11-27T10:00:00Z'),
      },
      { now },
    )
    const shlink = encodeShlink({ url: manifestUrlFor(HOST, newShareId()), key: newShareKey(), extensions: careKeyExtension({ chainId: 31337, registry, terms }) })
    expect(() => readViewerLink(`#${shlink}`)).toThrow(BearerSecretMismatchError)
  })
})

describe('a link whose grant is at its share host', () => {
  const terms = (grantee: Parameters<typeof createGrantTerms>[0]['grantee']) =>
    createGrantTerms(
      {
        patient,
        grantee,
        scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
        purpose: 'TREAT',
        validUntil: new Date('2026-11-27T10:00:00Z'),
      },
      { now },
    )

  /** A short link, and a host that serves its grant (when given) beside a manifest of `bundle`; every request is noted. */
  async function hostedLink(grant: Omit<ShareGrant, 'chainId' | 'registry'> | undefined, flags: ShlFlag[] = ['L', 'P']) {
    const key = newShareKey()
    const manifestUrl = manifestUrlFor(HOST, newShareId())
    const url = careKeyShareLink('https://carekey.example.org/view', { manifestUrl, key, flags })
    const jwe = grant && (await encryptShareGrant({ chainId: 31337, registry, ...grant }, key))
    const requests: { url: string; body: Record<string, unknown> | undefined }[] = []
    const fetch: FetchLike = async (requested, init) => {
      requests.push({ url: requested, body: typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined })
      if (requested === `${manifestUrl}/grant`) return jwe ? new Response(jwe, { headers: { 'content-type': 'application/jose' } }) : json({ error: 'not_found' }, 404)
      if (requested === manifestUrl) return manifestWith({ key })
      return json({ error: 'not_found' }, 404)
    }
    return { read: readViewerLink(new URL(url).hash), fetch, requests, manifestUrl }
  }

  it('needs its grant read before anything else: the link alone is not a viewer link', async () => {
    const { read } = await hostedLink(undefined)
    expect(read.carekey).toEqual({ grant: 'at-host' })
    expect(grantInLink(read)).toBeUndefined()
  })

  it('reads the grant beside the manifest without the passcode, then opens the share with it and proves the address in its domain', async () => {
    const granted = terms({ kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
    const { read, fetch, requests, manifestUrl } = await hostedLink({ terms: granted, label: 'For Dr. Lee' })
    const viewer = await readLinkGrant({ fetch }, read)
    expect(viewer).toMatchObject({ carekey: { chainId: 31337, registry, terms: granted }, label: 'For Dr. Lee' })
    expect(requests).toEqual([{ url: `${manifestUrl}/grant`, body: undefined }])

    const clinician = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
    const wallet: RecipientSigner = { address: clinician.address, signTypedData: (typedData) => clinician.signTypedData(typedData) }
    const opened = await openSharedLink({ fetch, connectRecipient: async () => wallet }, { viewer, recipient: 'Dr. Lee', passcode: '2468', proveAddress: true })
    expect(opened.resources).toEqual([allergy])
    const body = requests[1]?.body
    expect(body).toMatchObject({ passcode: '2468', _recipientProof: { address: clinician.address } })
    // Signed for the grant's chain and registry, as the host will check it.
    const proof = recipientProofSchema.parse(body?._recipientProof)
    const typedData = recipientProofTypedData({ chainId: 31337, registry, manifestUrl, recipient: 'Dr. Lee', nonce: proof.nonce, expiresAt: proof.expiresAt })
    expect(await recoverTypedDataAddress({ ...typedData, signature: proof.signature })).toBe(clinician.address)
  })

  it('checks the bearer secret of a "whoever holds this QR" grant that comes from the host', async () => {
    const secret = newBearerSecret()
    const bearer = terms({ kind: 'bearer', secret })
    const right = await hostedLink({ terms: bearer, bearerSecret: secret })
    expect((await readLinkGrant({ fetch: right.fetch }, right.read)).carekey?.bearerSecret).toBe(secret)
    for (const bearerSecret of [undefined, newBearerSecret()]) {
      const wrong = await hostedLink({ terms: bearer, ...(bearerSecret && { bearerSecret }) })
      await expect(readLinkGrant({ fetch: wrong.fetch }, wrong.read)).rejects.toBeInstanceOf(BearerSecretMismatchError)
    }
  })

  it('says the grant is missing when the host does not have it, and refuses a host it may not reach before any request', async () => {
    const missing = await hostedLink(undefined)
    await expect(readLinkGrant({ fetch: missing.fetch }, missing.read)).rejects.toBeInstanceOf(ShareGrantMissingError)
    const elsewhere = await hostedLink({ terms: terms({ kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }) })
    await expect(readLinkGrant({ fetch: elsewhere.fetch, reachableOrigins: ['https://carekey.example.org'] }, elsewhere.read)).rejects.toBeInstanceOf(
      ShareHostNotReachableError,
    )
    expect(elsewhere.requests).toEqual([])
  })
})

describe('readSharedGrant', () => {
  const deployment = { chainId: 31337, address: registry, fromBlock: 1n }
  const SPONSOR: Address = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720'
  const carekeyInfo = async () => {
    const { viewer } = await link({ carekey: true })
    if (!viewer.carekey) throw new Error('expected a CareKey link')
    return viewer.carekey
  }

  it('says the patient’s address is a one-time address when another address sent the grant (the sponsor), from the chain', async () => {
    const info = await carekeyInfo()
    const chain = fakeRegistryChain(deployment, 50n)
    const hash = chain.grant({ patient: info.terms.patient, commitment: commitmentIn(deployment, info.terms), block: 7n, sender: SPONSOR })
    expect(await readSharedGrant(chain.client, deployment, info)).toMatchObject({
      status: 'active',
      granted: { transactionHash: hash, blockNumber: 7n },
      revoked: undefined,
      oneTimeAddress: true,
    })
  })

  it('says the patient granted from their own address when that address sent the grant', async () => {
    const info = await carekeyInfo()
    const chain = fakeRegistryChain(deployment, 50n)
    chain.grant({ patient: info.terms.patient, commitment: commitmentIn(deployment, info.terms), block: 7n })
    chain.revoke({ patient: info.terms.patient, commitment: commitmentIn(deployment, info.terms), block: 9n })
    expect(await readSharedGrant(chain.client, deployment, info)).toMatchObject({ status: 'revoked', revoked: { blockNumber: 9n }, oneTimeAddress: false })
  })

  it('says nothing about the address when the chain has no such grant', async () => {
    const info = await carekeyInfo()
    const chain = fakeRegistryChain(deployment, 50n)
    expect(await readSharedGrant(chain.client, deployment, info)).toEqual({ status: 'unknown', granted: undefined, revoked: undefined, oneTimeAddress: undefined })
  })

  it('refuses a node whose transaction is not the one asked for, or names no sender', async () => {
    const info = await carekeyInfo()
    const chain = fakeRegistryChain(deployment, 50n)
    const hash = chain.grant({ patient: info.terms.patient, commitment: commitmentIn(deployment, info.terms), block: 7n, sender: SPONSOR })
    chain.transactions.set(hash, { hash: `0x${'ab'.repeat(32)}`, from: SPONSOR })
    await expect(readSharedGrant(chain.client, deployment, info)).rejects.toBeInstanceOf(UnexpectedChainReplyError)
    chain.transactions.set(hash, { hash, from: 'the sponsor' })
    await expect(readSharedGrant(chain.client, deployment, info)).rejects.toBeInstanceOf(UnexpectedChainReplyError)
  })
})
