import type { ResourceType } from '@medplum/fhirtypes'

/**
 * Every resource type of FHIR R4 (4.0.1). Checked against @medplum/fhirtypes at compile time,
 * which also has a few server-only types of its own that are left out here.
 */
export const R4_RESOURCE_TYPES = [
  'Account', 'ActivityDefinition', 'AdverseEvent', 'AllergyIntolerance', 'Appointment', 'AppointmentResponse',
  'AuditEvent', 'Basic', 'Binary', 'BiologicallyDerivedProduct', 'BodyStructure', 'Bundle',
  'CapabilityStatement', 'CarePlan', 'CareTeam', 'CatalogEntry', 'ChargeItem', 'ChargeItemDefinition', 'Claim',
  'ClaimResponse', 'ClinicalImpression', 'CodeSystem', 'Communication', 'CommunicationRequest',
  'CompartmentDefinition', 'Composition', 'ConceptMap', 'Condition', 'Consent', 'Contract', 'Coverage',
  'CoverageEligibilityRequest', 'CoverageEligibilityResponse', 'DetectedIssue', 'Device', 'DeviceDefinition',
  'DeviceMetric', 'DeviceRequest', 'DeviceUseStatement', 'DiagnosticReport', 'DocumentManifest',
  'DocumentReference', 'EffectEvidenceSynthesis', 'Encounter', 'Endpoint', 'EnrollmentRequest',
  'EnrollmentResponse', 'EpisodeOfCare', 'EventDefinition', 'Evidence', 'EvidenceVariable', 'ExampleScenario',
  'ExplanationOfBenefit', 'FamilyMemberHistory', 'Flag', 'Goal', 'GraphDefinition', 'Group',
  'GuidanceResponse', 'HealthcareService', 'ImagingStudy', 'Immunization', 'ImmunizationEvaluation',
  'ImmunizationRecommendation', 'ImplementationGuide', 'InsurancePlan', 'Invoice', 'Library', 'Linkage',
  'List', 'Location', 'Measure', 'MeasureReport', 'Media', 'Medication', 'MedicationAdministration',
  'MedicationDispense', 'MedicationKnowledge', 'MedicationRequest', 'MedicationStatement', 'MedicinalProduct',
  'MedicinalProductAuthorization', 'MedicinalProductContraindication', 'MedicinalProductIndication',
  'MedicinalProductIngredient', 'MedicinalProductInteraction', 'MedicinalProductManufactured',
  'MedicinalProductPackaged', 'MedicinalProductPharmaceutical', 'MedicinalProductUndesirableEffect',
  'MessageDefinition', 'MessageHeader', 'MolecularSequence', 'NamingSystem', 'NutritionOrder', 'Observation',
  'ObservationDefinition', 'OperationDefinition', 'OperationOutcome', 'Organization',
  'OrganizationAffiliation', 'Parameters', 'Patient', 'PaymentNotice', 'PaymentReconciliation', 'Person',
  'PlanDefinition', 'Practitioner', 'PractitionerRole', 'Procedure', 'Provenance', 'Questionnaire',
  'QuestionnaireResponse', 'RelatedPerson', 'RequestGroup', 'ResearchDefinition', 'ResearchElementDefinition',
  'ResearchStudy', 'ResearchSubject', 'RiskAssessment', 'RiskEvidenceSynthesis', 'Schedule', 'SearchParameter',
  'ServiceRequest', 'Slot', 'Specimen', 'SpecimenDefinition', 'StructureDefinition', 'StructureMap',
  'Subscription', 'Substance', 'SubstanceNucleicAcid', 'SubstancePolymer', 'SubstanceProtein',
  'SubstanceReferenceInformation', 'SubstanceSourceMaterial', 'SubstanceSpecification', 'SupplyDelivery',
  'SupplyRequest', 'Task', 'TerminologyCapabilities', 'TestReport', 'TestScript', 'ValueSet',
  'VerificationResult', 'VisionPrescription',
] as const satisfies readonly ResourceType[]

export type R4ResourceType = (typeof R4_RESOURCE_TYPES)[number]

const R4_SET: ReadonlySet<string> = new Set(R4_RESOURCE_TYPES)

/**
 * True when a name is a FHIR R4 resource type.
 *
 * @example
 * isR4ResourceType('Observation') // true
 * isR4ResourceType('SubscriptionTopic') // false: R5 only
 */
export function isR4ResourceType(name: string): name is R4ResourceType {
  return R4_SET.has(name)
}

/** Resource types that exist in FHIR R5 (or R4B) but not in R4. */
export const R5_ONLY_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'ActorDefinition', 'AdministrableProductDefinition', 'ArtifactAssessment', 'BiologicallyDerivedProductDispense',
  'ClinicalUseDefinition', 'ConditionDefinition', 'DeviceDispense', 'DeviceUsage', 'EncounterHistory', 'FormularyItem',
  'GenomicStudy', 'ImagingSelection', 'Ingredient', 'InventoryItem', 'InventoryReport', 'ManufacturedItemDefinition',
  'MedicinalProductDefinition', 'NutritionIntake', 'NutritionProduct', 'PackagedProductDefinition', 'Permission',
  'RegulatedAuthorization', 'Requirements', 'SubscriptionStatus', 'SubscriptionTopic', 'TestPlan', 'Transport',
  'Citation', 'EvidenceReport',
])

/** Resource types of FHIR STU3 (and DSTU2) that R4 removed or renamed. */
export const STU3_ONLY_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'BodySite', 'DataElement', 'DeviceComponent', 'EligibilityRequest', 'EligibilityResponse', 'ImagingManifest',
  'ProcedureRequest', 'ProcessRequest', 'ProcessResponse', 'ReferralRequest', 'Sequence', 'ServiceDefinition',
  'MedicationOrder', 'DiagnosticOrder', 'DeviceUseRequest', 'Order', 'OrderResponse',
])
