/**
 * Consent terms, pure and without I/O: what a patient grants (scope, purpose, grantee,
 * period), how it is encoded into the terms the ConsentRegistry commits to, the commitment
 * itself, and the matching FHIR R4 Consent resource.
 */
export * from './commitment.ts'
export * from './dataHash.ts'
export * from './errors.ts'
export * from './fhirConsent.ts'
export * from './grantStatus.ts'
export * from './grantee.ts'
export * from './purpose.ts'
export * from './readConsent.ts'
export * from './scope.ts'
export * from './terms.ts'
