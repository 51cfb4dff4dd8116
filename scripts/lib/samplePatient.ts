/**
 * A synthetic patient as a FHIR R4 collection Bundle: a dozen years of visits with vital signs,
 * lab panels and reports, conditions, allergies, prescriptions, vaccinations, procedures and
 * clinical notes. Everyone and everything in it is invented; a seeded random number generator
 * makes the file the same on every run. The benchmarks use the same generator for bigger
 * patients (`generateSamplePatient({ visits: 1000 })`).
 */
import type { Bundle, BundleEntry, CodeableConcept, Resource } from '@medplum/fhirtypes'

export type SamplePatientOptions = {
  seed?: number
  /** Visits to the clinic, one every one to two months back from the end date. */
  visits?: number
  /** The last visit's day. */
  endDate?: string
}

/** The invented patient's name, so tests can check it never reaches storage in plaintext. */
export const SAMPLE_PATIENT = { given: 'Oriane', family: 'Vellacott-Quenby', birthDate: '1971-05-19' } as const

const LOINC = 'http://loinc.org'
const SNOMED = 'http://snomed.info/sct'
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm'
const CVX = 'http://hl7.org/fhir/sid/cvx'
const UCUM = 'http://unitsofmeasure.org'
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category'
const DOC_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category'

/** mulberry32: a small, fast, seedable generator (not for secrets, only for sample data). */
function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
    normal: (mean: number, sd: number) => mean + sd * (next() + next() + next() + next() - 2) * 1.22,
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16))
      hex[12] = '4'
      hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)
      const s = hex.join('')
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
    },
  }
}

const code = (system: string, c: string, display: string): CodeableConcept => ({ coding: [{ system, code: c, display }], text: display })
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits

/**
 * A synthetic patient as a FHIR R4 collection Bundle.
 *
 * @example
 * const bundle = generateSamplePatient({ seed: 7, visits: 60 })
 */
export function generateSamplePatient(options: SamplePatientOptions = {}): Bundle {
  const r = rng(options.seed ?? 20_261_126)
  const visits = options.visits ?? 60
  const end = Date.parse(`${options.endDate ?? '2026-10-15'}T09:00:00Z`)
  const entries: BundleEntry[] = []
  const add = <T extends Resource>(resource: T): T => {
    entries.push({ fullUrl: `urn:uuid:${resource.id ?? ''}`, resource })
    return resource
  }
  const ref = (resource: Resource, display: string) => ({ reference: `urn:uuid:${resource.id ?? ''}`, display })

  const patient = add({
    resourceType: 'Patient',
    id: r.uuid(),
    identifier: [{ system: 'urn:carekey:sample:mrn', value: `SAMPLE-${r.int(100000, 999999)}` }],
    name: [{ use: 'official', given: [SAMPLE_PATIENT.given], family: SAMPLE_PATIENT.family }],
    gender: 'female',
    birthDate: SAMPLE_PATIENT.birthDate,
    address: [{ line: ['14 Larkspur Lane'], city: 'Fennimore Bay', postalCode: 'FB4 2QL', country: 'Examplia' }],
  })
  const me = ref(patient, `${SAMPLE_PATIENT.given} ${SAMPLE_PATIENT.family}`)
  const clinic = add({ resourceType: 'Organization', id: r.uuid(), name: 'Larkspur Community Clinic' })
  const lab = add({ resourceType: 'Organization', id: r.uuid(), name: 'Northgate Medical Laboratory' })
  const doctors = [
    ['Dr', 'Ines', 'Marwick'],
    ['Dr', 'Tobias', 'Ardentine'],
    ['Nurse', 'Kemi', 'Halloway'],
    ['Dr', 'Ravi', 'Okonkwo-Lind'],
  ].map(([prefix, given, family]) =>
    add({ resourceType: 'Practitioner', id: r.uuid(), name: [{ prefix: [prefix ?? ''], given: [given ?? ''], family: family ?? '' }] }),
  )
  const byDoctor = (i: number) => {
    const d = doctors[i % doctors.length] ?? doctors[0]
    const name = d?.name?.[0]
    return ref(d ?? patient, `${name?.prefix?.[0] ?? ''} ${name?.given?.[0] ?? ''} ${name?.family ?? ''}`.trim())
  }
  const labRef = ref(lab, 'Northgate Medical Laboratory')

  const allergies: [CodeableConcept, string, 'high' | 'low', string][] = [
    [code(SNOMED, '762952008', 'Peanut'), 'Hives and swollen lips', 'high', '1979-07'],
    [code(SNOMED, '764146007', 'Penicillin'), 'Widespread rash', 'high', '1994-02-11'],
    [code(SNOMED, '256277009', 'Grass pollen'), 'Sneezing and itchy eyes', 'low', '1988'],
  ]
  for (const [substance, reaction, criticality, onset] of allergies) {
    add({
      resourceType: 'AllergyIntolerance',
      id: r.uuid(),
      clinicalStatus: code('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active', 'Active'),
      verificationStatus: code('http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'confirmed', 'Confirmed'),
      type: 'allergy',
      category: [substance.text === 'Penicillin' ? 'medication' : substance.text === 'Peanut' ? 'food' : 'environment'],
      criticality,
      code: substance,
      patient: me,
      onsetDateTime: onset,
      recordedDate: '2014-03-04',
      recorder: byDoctor(0),
      reaction: [{ manifestation: [{ text: reaction }], severity: criticality === 'high' ? 'severe' : 'mild' }],
    })
  }

  const start = end - visits * 45 * 86_400_000
  const day = (t: number) => new Date(t).toISOString().slice(0, 10)
  const at = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')
  let weight = 71
  let a1c = 5.7
  let systolic = 124
  const conditionsAt = new Map<number, [CodeableConcept, string | undefined, CodeableConcept | undefined]>([
    [Math.floor(visits * 0.15), [code(SNOMED, '195967001', 'Asthma'), undefined, code(RXNORM, '745679', 'Albuterol 0.09 MG/ACTUAT inhaler')]],
    [Math.floor(visits * 0.35), [code(SNOMED, '38341003', 'Hypertension'), undefined, code(RXNORM, '314076', 'Lisinopril 10 MG Oral Tablet')]],
    [Math.floor(visits * 0.5), [code(SNOMED, '44054006', 'Type 2 diabetes mellitus'), undefined, code(RXNORM, '860975', 'Metformin 500 MG Extended Release Oral Tablet')]],
    [Math.floor(visits * 0.62), [code(SNOMED, '55822004', 'Hyperlipidemia'), undefined, code(RXNORM, '617310', 'Atorvastatin 20 MG Oral Tablet')]],
  ])
  const shortIllnesses = [
    [code(SNOMED, '444814009', 'Viral sinusitis'), code(RXNORM, '308182', 'Amoxicillin 250 MG Oral Capsule')],
    [code(SNOMED, '10509002', 'Acute bronchitis'), undefined],
    [code(SNOMED, '233604007', 'Pneumonia'), code(RXNORM, '1043400', 'Azithromycin 250 MG Oral Tablet')],
    [code(SNOMED, '68566005', 'Urinary tract infection'), code(RXNORM, '311995', 'Nitrofurantoin 100 MG Oral Capsule')],
  ] as const
  const notes = [
    'Patient reports improved sleep after cutting evening caffeine. Continue current plan and review in three months.',
    'Discussed home blood pressure readings; most mornings below 135/85. Encouraged a daily walk of thirty minutes.',
    'Feet examined: sensation intact, no ulcers. Reminded about yearly eye screening with the optician.',
    'Inhaler technique checked and corrected. Uses the reliever about twice a month, mostly in hay fever season.',
    'Mood good, working part time at the botanical garden. No concerns raised today.',
    'Reviewed fasting glucose diary. Evening snacks identified as the main source of high morning values.',
  ]

  for (let v = 0; v < visits; v++) {
    const t = start + v * 45 * 86_400_000 + r.int(-10, 10) * 86_400_000
    const doctor = byDoctor(r.int(0, doctors.length - 1))
    const encounter = add({
      resourceType: 'Encounter',
      id: r.uuid(),
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [r.chance(0.3) ? code(SNOMED, '185349003', 'Check-up visit') : code(SNOMED, '185345009', 'Consultation')],
      subject: me,
      participant: [{ individual: doctor }],
      period: { start: at(t), end: at(t + 20 * 60_000) },
      serviceProvider: ref(clinic, 'Larkspur Community Clinic'),
    })
    const seen = { reference: `urn:uuid:${encounter.id ?? ''}` }
    weight = round(weight + r.normal(0.05, 0.6), 1)
    systolic = Math.round(Math.min(165, Math.max(108, systolic + r.normal(0.3, 5))))
    const vital = (loinc: string, name: string, value: number, unit: string, ucum: string) =>
      add({
        resourceType: 'Observation',
        id: r.uuid(),
        status: 'final',
        category: [code(OBS_CATEGORY, 'vital-signs', 'Vital signs')],
        code: code(LOINC, loinc, name),
        subject: me,
        encounter: seen,
        effectiveDateTime: at(t),
        performer: [doctor],
        valueQuantity: { value, unit, system: UCUM, code: ucum },
      })
    add({
      resourceType: 'Observation',
      id: r.uuid(),
      status: 'final',
      category: [code(OBS_CATEGORY, 'vital-signs', 'Vital signs')],
      code: code(LOINC, '85354-9', 'Blood pressure panel'),
      subject: me,
      encounter: seen,
      effectiveDateTime: at(t),
      performer: [doctor],
      component: [
        { code: code(LOINC, '8480-6', 'Systolic blood pressure'), valueQuantity: { value: systolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
        { code: code(LOINC, '8462-4', 'Diastolic blood pressure'), valueQuantity: { value: Math.round(systolic * 0.63 + r.normal(0, 3)), unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
      ],
    })
    vital('8867-4', 'Heart rate', Math.round(r.normal(72, 6)), '/min', '/min')
    vital('29463-7', 'Body weight', weight, 'kg', 'kg')
    if (r.chance(0.3)) vital('8310-5', 'Body temperature', round(r.normal(36.8, 0.3), 1), '°C', 'Cel')
    if (r.chance(0.2)) vital('59408-5', 'Oxygen saturation', Math.round(Math.min(100, r.normal(97, 1))), '%', '%')

    if (v % 4 === 1) {
      a1c = round(Math.min(8.4, Math.max(5.2, a1c + r.normal(v > visits * 0.5 ? -0.05 : 0.08, 0.2))), 1)
      const labResult = (loinc: string, name: string, value: number, unit: string, ucum: string, low?: number, high?: number) =>
        add({
          resourceType: 'Observation',
          id: r.uuid(),
          status: 'final',
          category: [code(OBS_CATEGORY, 'laboratory', 'Laboratory')],
          code: code(LOINC, loinc, name),
          subject: me,
          encounter: seen,
          effectiveDateTime: at(t),
          issued: at(t + 26 * 3_600_000),
          performer: [labRef],
          valueQuantity: { value, unit, system: UCUM, code: ucum },
          ...(high !== undefined && value > high ? { interpretation: [code('http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', 'H', 'High')] } : {}),
          ...(low !== undefined || high !== undefined
            ? { referenceRange: [{ ...(low !== undefined ? { low: { value: low, unit, system: UCUM, code: ucum } } : {}), ...(high !== undefined ? { high: { value: high, unit, system: UCUM, code: ucum } } : {}) }] }
            : {}),
        })
      const panel = (loinc: string, name: string, results: Resource[], conclusion?: string) =>
        add({
          resourceType: 'DiagnosticReport',
          id: r.uuid(),
          status: 'final',
          category: [code('http://terminology.hl7.org/CodeSystem/v2-0074', 'LAB', 'Laboratory')],
          code: code(LOINC, loinc, name),
          subject: me,
          encounter: seen,
          effectiveDateTime: at(t),
          issued: at(t + 26 * 3_600_000),
          performer: [labRef],
          result: results.map((x) => ({ reference: `urn:uuid:${x.id ?? ''}` })),
          ...(conclusion ? { conclusion } : {}),
        })
      panel('4548-4', 'Hemoglobin A1c', [labResult('4548-4', 'Hemoglobin A1c', a1c, '%', '%', 4, 5.6)], a1c > 6.4 ? 'HbA1c above target; review diabetes plan.' : undefined)
      panel('57698-3', 'Lipid panel', [
        labResult('2093-3', 'Cholesterol, total', Math.round(r.normal(205, 15)), 'mg/dL', 'mg/dL', undefined, 200),
        labResult('2085-9', 'HDL cholesterol', Math.round(r.normal(52, 5)), 'mg/dL', 'mg/dL', 40),
        labResult('18262-6', 'LDL cholesterol', Math.round(r.normal(128, 12)), 'mg/dL', 'mg/dL', undefined, 130),
        labResult('2571-8', 'Triglycerides', Math.round(r.normal(140, 20)), 'mg/dL', 'mg/dL', undefined, 150),
      ])
      if (v % 8 === 1) {
        panel('58410-2', 'Complete blood count', [
          labResult('718-7', 'Hemoglobin', round(r.normal(13.4, 0.5), 1), 'g/dL', 'g/dL', 12, 15.5),
          labResult('6690-2', 'White blood cell count', round(r.normal(6.5, 1), 1), '10*3/uL', '10*3/uL', 4, 11),
          labResult('777-3', 'Platelet count', Math.round(r.normal(260, 30)), '10*3/uL', '10*3/uL', 150, 400),
        ])
        panel('51990-0', 'Basic metabolic panel', [
          labResult('2345-7', 'Glucose', Math.round(r.normal(a1c * 18, 8)), 'mg/dL', 'mg/dL', 70, 99),
          labResult('2160-0', 'Creatinine', round(r.normal(0.85, 0.08), 2), 'mg/dL', 'mg/dL', 0.5, 1.1),
          labResult('2951-2', 'Sodium', Math.round(r.normal(140, 2)), 'mmol/L', 'mmol/L', 135, 145),
          labResult('2823-3', 'Potassium', round(r.normal(4.2, 0.3), 1), 'mmol/L', 'mmol/L', 3.5, 5.1),
        ])
      }
    }

    const chronic = conditionsAt.get(v)
    if (chronic) {
      const [condition, , medicine] = chronic
      add({
        resourceType: 'Condition',
        id: r.uuid(),
        clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active', 'Active'),
        verificationStatus: code('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed', 'Confirmed'),
        category: [code('http://terminology.hl7.org/CodeSystem/condition-category', 'problem-list-item', 'Problem list item')],
        code: condition,
        subject: me,
        encounter: seen,
        onsetDateTime: day(t),
        recordedDate: day(t),
        recorder: doctor,
      })
      if (medicine) {
        add({
          resourceType: 'MedicationRequest',
          id: r.uuid(),
          status: 'active',
          intent: 'order',
          medicationCodeableConcept: medicine,
          subject: me,
          encounter: seen,
          authoredOn: at(t),
          requester: doctor,
          reasonCode: [condition],
          dosageInstruction: [{ text: medicine.text?.includes('inhaler') ? 'Two puffs when needed for wheeze' : 'One tablet a day with food' }],
        })
      }
    } else if (r.chance(0.12)) {
      const [illness, medicine] = r.pick(shortIllnesses)
      add({
        resourceType: 'Condition',
        id: r.uuid(),
        clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved', 'Resolved'),
        category: [code('http://terminology.hl7.org/CodeSystem/condition-category', 'encounter-diagnosis', 'Encounter diagnosis')],
        code: illness,
        subject: me,
        encounter: seen,
        onsetDateTime: day(t - 3 * 86_400_000),
        abatementDateTime: day(t + 12 * 86_400_000),
        recordedDate: day(t),
        recorder: doctor,
      })
      if (medicine) {
        add({
          resourceType: 'MedicationRequest',
          id: r.uuid(),
          status: 'completed',
          intent: 'order',
          medicationCodeableConcept: medicine,
          subject: me,
          encounter: seen,
          authoredOn: at(t),
          requester: doctor,
          reasonCode: [illness],
          dosageInstruction: [{ text: 'One capsule three times a day for seven days' }],
        })
      }
    }

    const month = new Date(t).getUTCMonth()
    if ((month === 9 || month === 10) && r.chance(0.8)) {
      add({
        resourceType: 'Immunization',
        id: r.uuid(),
        status: 'completed',
        vaccineCode: code(CVX, '140', 'Influenza, seasonal, injectable, preservative free'),
        patient: me,
        encounter: seen,
        occurrenceDateTime: at(t),
        primarySource: true,
        lotNumber: `FL${r.int(1000, 9999)}`,
        site: code('http://terminology.hl7.org/CodeSystem/v3-ActSite', 'LA', 'Left arm'),
        performer: [{ actor: byDoctor(2) }],
      })
    } else if (r.chance(0.05)) {
      const [cvx, name] = r.pick([
        ['115', 'Tdap'],
        ['208', 'COVID-19, mRNA vaccine'],
        ['133', 'Pneumococcal conjugate PCV 13'],
        ['121', 'Zoster vaccine, live'],
      ] as const)
      add({
        resourceType: 'Immunization',
        id: r.uuid(),
        status: 'completed',
        vaccineCode: code(CVX, cvx, name),
        patient: me,
        encounter: seen,
        occurrenceDateTime: at(t),
        primarySource: true,
        lotNumber: `LT${r.int(10000, 99999)}`,
        protocolApplied: [{ doseNumberPositiveInt: 1 }],
        performer: [{ actor: byDoctor(2) }],
      })
    }

    if (r.chance(0.08)) {
      const [sct, name] = r.pick([
        ['73761001', 'Colonoscopy'],
        ['168731009', 'Chest X-ray'],
        ['252779009', 'Single photon emission computed tomography'],
        ['117015009', 'Throat culture'],
        ['36969009', 'Placement of stent in coronary artery'],
      ] as const)
      add({
        resourceType: 'Procedure',
        id: r.uuid(),
        status: 'completed',
        code: code(SNOMED, sct, name),
        subject: me,
        encounter: seen,
        performedPeriod: { start: at(t), end: at(t + 45 * 60_000) },
        performer: [{ actor: doctor }],
        location: { display: 'Larkspur Community Clinic' },
      })
    }

    if (r.chance(0.25)) {
      const text = `${r.pick(notes)}\n\nWeight ${weight} kg. Blood pressure ${systolic} systolic.`
      add({
        resourceType: 'DocumentReference',
        id: r.uuid(),
        status: 'current',
        type: code(LOINC, '11506-3', 'Progress note'),
        category: [code(DOC_CATEGORY, 'clinical-note', 'Clinical Note')],
        subject: me,
        date: at(t + 30 * 60_000),
        author: [doctor],
        description: 'Progress note',
        content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text, 'utf8').toString('base64') } }],
        context: { encounter: [seen], period: { start: at(t), end: at(t + 20 * 60_000) } },
      })
    }
    if (v % 20 === 10) {
      add({
        resourceType: 'DocumentReference',
        id: r.uuid(),
        status: 'current',
        type: code(LOINC, '18748-4', 'Diagnostic imaging study'),
        subject: me,
        date: at(t + 86_400_000),
        author: [ref(lab, 'Northgate Medical Laboratory')],
        description: 'Imaging report: chest X-ray',
        content: [
          {
            attachment: {
              contentType: 'text/plain; charset=utf-8',
              data: Buffer.from('Lungs clear. Heart size normal. No acute findings.', 'utf8').toString('base64'),
              title: 'Chest X-ray report',
            },
          },
        ],
      })
    }
  }

  add({
    resourceType: 'CarePlan',
    id: r.uuid(),
    status: 'active',
    intent: 'plan',
    title: 'Diabetes self-management plan',
    subject: me,
    created: day(start + visits * 0.5 * 45 * 86_400_000),
    description: 'Daily walk, review HbA1c every three months, yearly eye and foot checks.',
  })
  add({
    resourceType: 'Coverage',
    id: r.uuid(),
    status: 'active',
    beneficiary: me,
    payor: [{ display: 'Examplia Mutual Health Fund' }],
    period: { start: '2014-01-01' },
  })

  return { resourceType: 'Bundle', type: 'collection', timestamp: at(end + 86_400_000), entry: entries }
}
