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
    const typed = (over: Partial<Parameters<typeof shareRequestTypedData>[0]>) =>
      shareRequestTypedData({
        chainId: 31337,
        registry,
        action: 'update-files',
        host: 'http://localhost:8787',
        shareId: 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM',
        bodyHash: hashRequestBody(body),
        nonce: auth.nonce,
        expiresAt: auth.expiresAt,
        ...over,
      })
    const recover = (over: Partial<Parameters<typeof shareRequestTypedData>[0]>) =>
      recoverTypedDataAddress({ ...typed(over), signature: auth.signature })
    expect(await recover({})).toBe(patient.address)
    expect(await recover({ action: 'deactivate-share' })).not.toBe(patient.address)
    expect(await recover({ bodyHash: hashRequestBody(`${body} `) })).not.toBe(patient.address)
    expect(await recover({ host: 'https://other.example.org' })).not.toBe(patient.address)
    expect(await recover({ chainId: 1 })).not.toBe(patient.address)
  })

  it('reads back the Authorization header it writes and ignores anything else', () => {
    const auth = {
      signer: patient.address,
      nonce: `0x${'ab'.repeat(32)}`,
      expiresAt: 1_800_000_000,
      signature: `0x${'cd'.repeat(65)}`,
    } as const
    expect(parseShareAuthorization(encodeShareAuthorization(auth))).toEqual(auth)
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
