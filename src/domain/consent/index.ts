/**
 * Consent terms, pure and without I/O: what a patient grants (scope, purpose, grantee,
 * period), how it is encoded into the terms the ConsentRegistry commits to, the commitment
 * itself, the matching FHIR R4 Consent resource, the EIP-712 messages a per-grant key signs
 * for the sponsor relay, and the relay's request and reply shapes.
 */
export * from './commitment.ts'
export * from './dataHash.ts'
export * from './dateTimeText.ts'
export * from './errors.ts'
export * from './fhirConsent.ts'
export * from './grantStatus.ts'
export * from './grantee.ts'
export * from './grantSignature.ts'
export * from './purpose.ts'
export * from './readConsent.ts'
export * from './relayMessages.ts'
export * from './scope.ts'
export * from './terms.ts'
