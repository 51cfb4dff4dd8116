/**
 * Professional credentials, pure and without I/O: the roles and their bits in the
 * CredentialRegistry, and the credential document (a W3C Verifiable Credential with an EIP-712
 * proof) that a licensing body signs: build, sign, parse, verify, and the hash that goes on chain.
 */
export {
  buildCredential,
  credentialDateTime,
  credentialDocumentHash,
  credentialDomain,
  CredentialForAnotherNetworkError,
  credentialMatchesRecord,
  didPkh,
  documentHashPrefix,
  InvalidCredentialError,
  parseCredential,
  parseDidPkh,
  signCredential,
  verifyCredential,
  CREDENTIAL_EIP712_TYPES,
  type CredentialDetails,
  type CredentialRecordTerms,
  type CredentialRegistryLocation,
  type ProfessionalCredential,
  type UnsignedCredential,
  type VerifiedCredential,
} from './credentialDocument.ts'
export { PROFESSIONAL_ROLES, ROLE_BITS, roleBits, rolesOfBits, type ProfessionalRole } from './roles.ts'
export { CREDENTIAL_STATUSES, credentialStatusFromChain, type CredentialStatus } from './credentialStatus.ts'
