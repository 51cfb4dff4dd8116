import { describe, expect, it } from 'vitest'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  buildCredential,
  credentialDocumentHash,
  documentHashPrefix,
  CredentialForAnotherNetworkError,
  credentialMatchesRecord,
  InvalidCredentialError,
  parseCredential,
  signCredential,
  verifyCredential,
  type CredentialDetails,
  type ProfessionalCredential,
} from './credentialDocument.ts'
import { roleBits, rolesOfBits } from './roles.ts'

const body = privateKeyToAccount(generatePrivateKey())
const professional = privateKeyToAccount(generatePrivateKey()).address
const location = { chainId: 31337, registry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' } as const
const NOW = 1_780_000_000

const details: CredentialDetails = {
  chainId: 31337,
  issuer: { address: body.address, name: 'Local Licensing Board' },
  professional,
  name: 'Dr. Ada Lovelace',
  licenceNumber: 'MB-1234',
  jurisdiction: 'GB',
  roles: ['prescriber', 'clinician'],
  validFrom: NOW,
  validUntil: NOW + 365 * 86_400,
}

const signed = () => signCredential(body, buildCredential(details), location, new Date(NOW * 1000))
/** The document as it travels: JSON text, parsed again. */
const roundTrip = (c: ProfessionalCredential): unknown => JSON.parse(JSON.stringify(c))

describe('credential documents', () => {
  it('is a VC 2.0 document with an EthereumEip712Signature2021 proof', async () => {
    const c = await signed()
    expect(c['@context'][0]).toBe('https://www.w3.org/ns/credentials/v2')
    expect(c.type).toEqual(['VerifiableCredential', 'ProfessionalLicenceCredential'])
    expect(c.issuer.id).toBe(`did:pkh:eip155:31337:${body.address}`)
    expect(c.validFrom).toBe('2026-05-28T20:26:40Z')
    expect(c.credentialSubject).toEqual({
      id: `did:pkh:eip155:31337:${professional}`,
      name: 'Dr. Ada Lovelace',
      licenceNumber: 'MB-1234',
      jurisdiction: 'GB',
      role: ['clinician', 'prescriber'],
    })
    expect(c.proof).toMatchObject({
      type: 'EthereumEip712Signature2021',
      proofPurpose: 'assertionMethod',
      verificationMethod: `did:pkh:eip155:31337:${body.address}#blockchainAccountId`,
      eip712: { domain: { chainId: 31337, verifyingContract: location.registry }, primaryType: 'ProfessionalCredential' },
    })
  })

  it('verifies after a round trip through JSON, in the registry’s terms', async () => {
    const c = await signed()
    const verified = await verifyCredential(parseCredential(roundTrip(c)), location)
    expect(verified).toEqual({
      issuer: body.address,
      issuerName: 'Local Licensing Board',
      professional,
      name: 'Dr. Ada Lovelace',
      licenceNumber: 'MB-1234',
      jurisdiction: 'GB',
      roles: ['clinician', 'prescriber'],
      roleBits: 3,
      validFrom: NOW,
      validUntil: NOW + 365 * 86_400,
      documentHash: credentialDocumentHash(c, location),
    })
  })

  it('hashes the document, not its encoding or its proof', async () => {
    const c = await signed()
    const { proof: _proof, ...unsigned } = c
    const reordered = { credentialSubject: c.credentialSubject, validUntil: c.validUntil, validFrom: c.validFrom, issuer: c.issuer, type: c.type, '@context': c['@context'] }
    expect(credentialDocumentHash(reordered, location)).toBe(credentialDocumentHash(unsigned, location))
    expect(credentialDocumentHash({ ...unsigned, credentialSubject: { ...c.credentialSubject, licenceNumber: 'MB-1235' } }, location)).not.toBe(
      credentialDocumentHash(unsigned, location),
    )
  })

  it('refuses a document changed after signing: name, licence, role, period or issuer', async () => {
    const c = await signed()
    const tampered: ProfessionalCredential[] = [
      { ...c, credentialSubject: { ...c.credentialSubject, name: 'Dr. Eve' } },
      { ...c, credentialSubject: { ...c.credentialSubject, licenceNumber: 'MB-9999' } },
      { ...c, credentialSubject: { ...c.credentialSubject, role: ['clinician', 'prescriber', 'pharmacy'] } },
      { ...c, validUntil: '2099-01-01T00:00:00Z' },
      { ...c, credentialSubject: { ...c.credentialSubject, id: `did:pkh:eip155:31337:${privateKeyToAccount(generatePrivateKey()).address}` } },
    ]
    for (const t of tampered) {
      await expect(verifyCredential(parseCredential(roundTrip(t)), location)).rejects.toThrow(/changed after it was signed, or signed by someone other than its issuer/)
    }
  })

  it('refuses a document signed by someone other than the issuer it names', async () => {
    const forger = privateKeyToAccount(generatePrivateKey())
    // The forger cannot sign in the body's name…
    await expect(signCredential(forger, buildCredential(details), location, new Date())).rejects.toBeInstanceOf(InvalidCredentialError)
    // …and a proof of theirs pasted onto the body's document does not verify.
    const own = await signCredential(forger, buildCredential({ ...details, issuer: { address: forger.address, name: 'Local Licensing Board' } }), location, new Date())
    const c = await signed()
    await expect(verifyCredential({ ...c, proof: { ...c.proof, proofValue: own.proof.proofValue } }, location)).rejects.toThrow(/signed by someone other than its issuer/)
  })

  it('refuses a document for another chain or registry', async () => {
    const c = await signed()
    await expect(verifyCredential(c, { ...location, chainId: 84532 })).rejects.toBeInstanceOf(CredentialForAnotherNetworkError)
    await expect(verifyCredential(c, { ...location, registry: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' })).rejects.toBeInstanceOf(CredentialForAnotherNetworkError)
  })

  it('parses at the boundary and names the field that is wrong', async () => {
    const c = roundTrip(await signed()) as Record<string, unknown>
    expect(() => parseCredential({ ...c, validFrom: 'yesterday' })).toThrow(/validFrom must be a UTC date and time/)
    expect(() => parseCredential({ ...c, credentialSubject: { ...(c.credentialSubject as object), role: ['surgeon'] } })).toThrow(/credentialSubject.role/)
    expect(() => parseCredential({ ...c, issuer: { id: 'did:web:example.org', name: 'x' } })).toThrow(/issuer.id must be a did:pkh/)
    expect(() => parseCredential({ ...c, proof: { ...(c.proof as object), proofValue: '0x1234' } })).toThrow(/proof.proofValue must be a 65-byte signature/)
    expect(() => parseCredential('not a document')).toThrow(InvalidCredentialError)
  })

  it('refuses to build a credential without a role or with an empty period', () => {
    expect(() => buildCredential({ ...details, roles: [] })).toThrow(/names no role/)
    expect(() => buildCredential({ ...details, validUntil: details.validFrom })).toThrow(/validity period/)
    expect(() => buildCredential({ ...details, validUntil: 2 ** 32 })).toThrow(/validity period/)
  })

  it('matches the registry’s record only when issuer, roles, period and hash prefix agree', async () => {
    const verified = await verifyCredential(await signed(), location)
    const record = { issuer: body.address, roleBits: 3, validFrom: NOW, validUntil: NOW + 365 * 86_400, documentHashPrefix: documentHashPrefix(verified.documentHash) }
    expect(credentialMatchesRecord(verified, record)).toBe(true)
    expect(credentialMatchesRecord(verified, { ...record, roleBits: 7 })).toBe(false)
    expect(credentialMatchesRecord(verified, { ...record, validUntil: record.validUntil + 1 })).toBe(false)
    expect(credentialMatchesRecord(verified, { ...record, issuer: professional })).toBe(false)
    expect(credentialMatchesRecord(verified, { ...record, documentHashPrefix: `0x${'00'.repeat(20)}` })).toBe(false)
  })
})

describe('role bits', () => {
  it('are the contract’s ROLE_* bits, both ways', () => {
    expect(roleBits(['clinician'])).toBe(1)
    expect(roleBits(['pharmacy', 'prescriber'])).toBe(6)
    expect(rolesOfBits(7)).toEqual(['clinician', 'prescriber', 'pharmacy'])
    expect(rolesOfBits(4 | 8)).toEqual(['pharmacy'])
  })
})
