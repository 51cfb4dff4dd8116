/**
 * A bundled list of common drugs with their RxNorm codes (semantic clinical drugs: ingredient,
 * strength and dose form), for picking a medication without a terminology server. Anything
 * else is written as free text.
 */

export const RXNORM_SYSTEM = 'http://www.nlm.nih.gov/research/umls/rxnorm'

export type CommonDrug = {
  /** RxNorm concept id (RXCUI). */
  code: string
  display: string
  /** What one unit of quantity is, for the quantity field ("tablet", "capsule", "inhaler"). */
  unit: string
}

export const COMMON_DRUGS: readonly CommonDrug[] = [
  { code: '313782', display: 'Acetaminophen 325 MG Oral Tablet', unit: 'tablet' },
  { code: '857005', display: 'Acetaminophen 325 MG / Hydrocodone Bitartrate 7.5 MG Oral Tablet', unit: 'tablet' },
  { code: '745679', display: '200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', unit: 'inhaler' },
  { code: '904419', display: 'Alendronic acid 10 MG Oral Tablet', unit: 'tablet' },
  { code: '197361', display: 'Amlodipine 5 MG Oral Tablet', unit: 'tablet' },
  { code: '308182', display: 'Amoxicillin 250 MG Oral Capsule', unit: 'capsule' },
  { code: '562251', display: 'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet', unit: 'tablet' },
  { code: '243670', display: 'Aspirin 81 MG Oral Tablet', unit: 'tablet' },
  { code: '617310', display: 'Atorvastatin 20 MG Oral Tablet', unit: 'tablet' },
  { code: '308460', display: 'Azithromycin 250 MG Oral Tablet', unit: 'tablet' },
  { code: '1736854', display: 'Cefaclor 250 MG Oral Capsule', unit: 'capsule' },
  { code: '1014676', display: 'Cetirizine hydrochloride 5 MG Oral Tablet', unit: 'tablet' },
  { code: '309362', display: 'Clopidogrel 75 MG Oral Tablet', unit: 'tablet' },
  { code: '997488', display: 'Fexofenadine hydrochloride 30 MG Oral Tablet', unit: 'tablet' },
  { code: '310325', display: 'Ferrous sulfate 325 MG Oral Tablet', unit: 'tablet' },
  { code: '895994', display: '120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler', unit: 'inhaler' },
  { code: '310798', display: 'Hydrochlorothiazide 25 MG Oral Tablet', unit: 'tablet' },
  { code: '310965', display: 'Ibuprofen 200 MG Oral Tablet', unit: 'tablet' },
  { code: '966222', display: 'Levothyroxine Sodium 0.075 MG Oral Tablet', unit: 'tablet' },
  { code: '314076', display: 'Lisinopril 10 MG Oral Tablet', unit: 'tablet' },
  { code: '860975', display: '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet', unit: 'tablet' },
  { code: '849574', display: 'Naproxen sodium 220 MG Oral Tablet', unit: 'tablet' },
  { code: '705129', display: 'Nitroglycerin 0.4 MG/ACTUAT Mucosal Spray', unit: 'spray bottle' },
  { code: '834060', display: 'Penicillin V Potassium 250 MG Oral Tablet', unit: 'tablet' },
  { code: '1094107', display: 'Phenazopyridine hydrochloride 100 MG Oral Tablet', unit: 'tablet' },
  { code: '312617', display: 'Prednisone 5 MG Oral Tablet', unit: 'tablet' },
  { code: '312938', display: 'Sertraline 100 MG Oral Tablet', unit: 'tablet' },
  { code: '314231', display: 'Simvastatin 10 MG Oral Tablet', unit: 'tablet' },
  { code: '312961', display: 'Simvastatin 20 MG Oral Tablet', unit: 'tablet' },
  { code: '198014', display: 'Naproxen 500 MG Oral Tablet', unit: 'tablet' },
]

/**
 * The bundled drug with this RxNorm code, or undefined.
 *
 * @example
 * findCommonDrug('314076')?.display // 'Lisinopril 10 MG Oral Tablet'
 */
export function findCommonDrug(code: string): CommonDrug | undefined {
  return COMMON_DRUGS.find((d) => d.code === code)
}
