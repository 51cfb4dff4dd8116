/**
 * E-prescriptions, pure and without I/O: the FHIR R4 MedicationRequest of a prescription (a
 * bundled list of common drugs by RxNorm code, or free text), the prescriber's EIP-712
 * signature over its hash, its verification, and what the PrescriptionRegistry records (the
 * commitment of the signed request and a salt, the total quantity and the expiry).
 */
export { canonicalJson } from './canonicalJson.ts'
export { COMMON_DRUGS, findCommonDrug, RXNORM_SYSTEM, type CommonDrug } from './drugs.ts'
export {
  buildMedicationRequest,
  InvalidPrescriptionError,
  MAX_PRESCRIPTION_UNITS,
  medicationRequestHash,
  parseSignedPrescription,
  prescriptionChainTerms,
  prescriptionCommitment,
  PrescriptionForAnotherNetworkError,
  PrescriptionSignatureError,
  prescriptionTypedData,
  signPrescription,
  verifyPrescription,
  type PrescriptionChainTerms,
  type PrescriptionDetails,
  type PrescriptionRegistryLocation,
  type SignedPrescription,
  type VerifiedPrescription,
} from './prescription.ts'
