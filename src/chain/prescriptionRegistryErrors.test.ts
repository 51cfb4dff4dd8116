import { describe, expect, it } from 'vitest'
import { credentialRegistryAbi } from '../../contracts/generated/CredentialRegistry.ts'
import { prescriptionRegistryAbi } from '../../contracts/generated/PrescriptionRegistry.ts'
import { CareKeyError } from '../domain/errors.ts'
import { describeCredentialRevert, NotTheCredentialIssuerError } from './credentialRegistryErrors.ts'
import { DispenseExceedsRemainingError, describePrescriptionRevert, PharmacyNotVerifiedError, PrescriberNotVerifiedError } from './prescriptionRegistryErrors.ts'

const errorNames = (abi: readonly { type: string; name?: string }[]) => abi.filter((item) => item.type === 'error').map((item) => item.name ?? '')

describe('revert decoding of the credential and prescription registries', () => {
  it('has words for every custom error a transaction of the app can meet', () => {
    // InvalidIssuers is a deployment error only: no app transaction meets it.
    for (const name of errorNames(credentialRegistryAbi).filter((n) => n !== 'InvalidIssuers')) {
      expect(describeCredentialRevert(name, []), name).toBeInstanceOf(CareKeyError)
    }
    for (const name of errorNames(prescriptionRegistryAbi)) {
      expect(describePrescriptionRevert(name, []), name).toBeInstanceOf(CareKeyError)
    }
  })

  it('says how much remains, or that nothing does', () => {
    const commitment = `0x${'11'.repeat(32)}`
    expect(describePrescriptionRevert('MoreThanRemains', [commitment, 3, 2])?.userMessage).toBe('Only 2 units remain on this prescription; 3 were asked for.')
    expect(describePrescriptionRevert('MoreThanRemains', [commitment, 2, 1])?.userMessage).toBe('Only 1 unit remains on this prescription; 2 were asked for.')
    const none = describePrescriptionRevert('MoreThanRemains', [commitment, 1, 0])
    expect(none).toBeInstanceOf(DispenseExceedsRemainingError)
    expect([none?.userMessage, none?.hint]).toEqual(['Nothing remains on this prescription: it has been fully dispensed.', 'Do not hand anything over.'])
  })

  it('says why a prescriber or pharmacy is not verified, from the credential status in the revert', () => {
    const expired = describePrescriptionRevert('PrescriberNotVerified', ['0x0000000000000000000000000000000000000001', 3])
    expect(expired).toBeInstanceOf(PrescriberNotVerifiedError)
    expect([expired?.userMessage, expired?.hint]).toEqual(['Your prescriber credential has expired, so you cannot write prescriptions.', 'Ask your licensing body to renew it.'])
    const revoked = describePrescriptionRevert('PharmacyNotVerified', ['0x0000000000000000000000000000000000000001', 2])
    expect(revoked).toBeInstanceOf(PharmacyNotVerifiedError)
    expect(revoked?.userMessage).toBe('Your pharmacy credential was revoked, so you cannot dispense.')
    expect(describePrescriptionRevert('PharmacyNotVerified', ['0x0000000000000000000000000000000000000001', 4])?.userMessage).toBe('Your pharmacy credential is not valid yet.')
  })

  it('names the issuer that may revoke', () => {
    const issuer = '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f'
    const error = describeCredentialRevert('NotTheIssuer', ['0x0000000000000000000000000000000000000001', issuer])
    expect(error).toBeInstanceOf(NotTheCredentialIssuerError)
    expect(error?.userMessage).toBe(`Only the licensing body that issued this credential (${issuer}) can revoke it.`)
  })
})
