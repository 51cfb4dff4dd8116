import { describe, expect, it } from 'vitest'
import { recoverTypedDataAddress } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { recipientProofTypedData, signRecipientProof } from './recipientProof.ts'
import {
  encodeShareAuthorization,
  hashRequestBody,
  parseShareAuthorization,
  shareRequestTypedData,
  signShareRequest,
} from './shareRequest.ts'

const patient = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 1 })
const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const signer = { address: patient.address, signTypedData: patient.signTypedData }

describe('signed share host requests', () => {
  it('signs a management request that recovers to the patient for exactly that body, action, share and host', async () => {
    const body = JSON.stringify({ files: [] })
    const now = 1_800_000_000_000
    const { authorization } = await signShareRequest(signer, {
      chainId: 31337,
      registry,
      host: 'http://localhost:8787',
      action: 'update-files',
      shareId: 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM',
      body,
      now,
    })
    const auth = parseShareAuthorization(authorization)
    if (!auth) throw new Error('header not readable')
    expect(auth.signer).toBe(patient.address)
    expect(auth.expiresAt).toBe(1_800_000_300)
    // The header carries the hash it signs, so the host can check the signature before the body arrives.
    const bodyHash = await hashRequestBody(body)
    expect(auth.bodyHash).toBe(bodyHash)
    expect(auth).not.toHaveProperty('commitment')
    const typed = (over: Partial<Parameters<typeof shareRequestTypedData>[0]>) =>
      shareRequestTypedData({
        chainId: 31337,
        registry,
        action: 'update-files',
        host: 'http://localhost:8787',
        shareId: 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM',
        bodyHash,
        nonce: auth.nonce,
        expiresAt: auth.expiresAt,
        ...over,
      })
    const recover = (over: Partial<Parameters<typeof shareRequestTypedData>[0]>) =>
      recoverTypedDataAddress({ ...typed(over), signature: auth.signature })
    expect(await recover({})).toBe(patient.address)
    expect(await recover({ action: 'deactivate-share' })).not.toBe(patient.address)
    expect(await recover({ bodyHash: await hashRequestBody(`${body} `) })).not.toBe(patient.address)
    expect(await recover({ host: 'https://other.example.org' })).not.toBe(patient.address)
    expect(await recover({ chainId: 1 })).not.toBe(patient.address)
  })

  it('names the new share and its commitment in the header of create-share, next to the body hash', async () => {
    const shareId = 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM'
    const commitment = `0x${'0a'.repeat(32)}` as const
    const body = JSON.stringify({ id: shareId, patient: patient.address, commitment, files: [] })
    const { authorization } = await signShareRequest(signer, {
      chainId: 31337,
      registry,
      host: 'http://localhost:8787',
      action: 'create-share',
      shareId,
      commitment,
      body,
    })
    expect(parseShareAuthorization(authorization)).toMatchObject({ signer: patient.address, shareId, commitment, bodyHash: await hashRequestBody(body) })
  })

  it('hashes bodies with SHA-256 of their UTF-8 bytes', async () => {
    expect(await hashRequestBody('')).toBe('0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(await hashRequestBody('abc')).toBe('0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    // "é" is two bytes in UTF-8 (c3 a9), not one.
    expect(await hashRequestBody('é')).toBe('0x4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c')
  })

  it('reads back the Authorization header it writes and ignores anything else', () => {
    const auth = {
      signer: patient.address,
      nonce: `0x${'ab'.repeat(32)}`,
      expiresAt: 1_800_000_000,
      bodyHash: `0x${'ef'.repeat(32)}`,
      signature: `0x${'cd'.repeat(65)}`,
    } as const
    expect(parseShareAuthorization(encodeShareAuthorization(auth))).toEqual(auth)
    const withoutHash = { signer: auth.signer, nonce: auth.nonce, expiresAt: auth.expiresAt, signature: auth.signature }
    expect(parseShareAuthorization(`CareKey ${btoa(JSON.stringify(withoutHash)).replace(/=/g, '')}`)).toBeUndefined()
    expect(parseShareAuthorization(undefined)).toBeUndefined()
    expect(parseShareAuthorization('Bearer abc')).toBeUndefined()
    expect(parseShareAuthorization('CareKey !!!')).toBeUndefined()
    expect(parseShareAuthorization(`CareKey ${btoa('{"signer":"0x1"}').replace(/=/g, '')}`)).toBeUndefined()
  })

  it('signs a recipient proof bound to one manifest URL and the name given', async () => {
    const manifestUrl = 'http://localhost:8787/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM'
    const proof = await signRecipientProof(signer, { chainId: 31337, registry, manifestUrl, recipient: '  Dr. Ada Lovelace ' })
    const recover = (url: string, recipient: string) =>
      recoverTypedDataAddress({
        ...recipientProofTypedData({ chainId: 31337, registry, manifestUrl: url, recipient, nonce: proof.nonce, expiresAt: proof.expiresAt }),
        signature: proof.signature,
      })
    expect(await recover(manifestUrl, 'Dr. Ada Lovelace')).toBe(patient.address)
    expect(await recover(`${manifestUrl}x`, 'Dr. Ada Lovelace')).not.toBe(patient.address)
    expect(await recover(manifestUrl, 'Dr. Grace Hopper')).not.toBe(patient.address)
  })
})
