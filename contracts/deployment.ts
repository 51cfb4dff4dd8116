/**
 * The deployment file `npm run deploy` writes (contracts/deployments/<name>.json): where
 * CareKey's contracts live on one chain. The share host and the app build read it when
 * CAREKEY_DEPLOYMENT names it, instead of the separate CAREKEY_CHAIN_ID,
 * CAREKEY_CONSENT_REGISTRY, CAREKEY_CONSENT_REGISTRY_BLOCK, CAREKEY_CREDENTIAL_REGISTRY(_BLOCK)
 * and CAREKEY_PRESCRIPTION_REGISTRY(_BLOCK) variables.
 */
import { readFileSync } from 'node:fs'
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'

export type DeploymentFile = {
  chainId: number
  consentRegistry: Address
  /** Block of the registry's deployment, so that event scans need not start at genesis. */
  deployBlock: number
  /**
   * The CredentialRegistry and PrescriptionRegistry with their deployment blocks and the
   * credential issuers. Absent from files written before they existed: such a chain has no
   * credentials or prescriptions.
   */
  credentialRegistry?: Address
  credentialRegistryBlock?: number
  credentialIssuers?: Address[]
  prescriptionRegistry?: Address
  prescriptionRegistryBlock?: number
  /** Only in local.json: the local chain's RPC URL. */
  rpcUrl?: string
}

const address = z
  .string()
  .refine((a) => isAddress(a, { strict: false }), 'must be a 0x-prefixed 20-byte address')
  .transform((a) => getAddress(a))

const schema = z
  .object({
    chainId: z.int().positive(),
    consentRegistry: address,
    deployBlock: z.int().min(0),
    credentialRegistry: address.optional(),
    credentialRegistryBlock: z.int().min(0).optional(),
    credentialIssuers: z.array(address).min(1).optional(),
    prescriptionRegistry: address.optional(),
    prescriptionRegistryBlock: z.int().min(0).optional(),
    rpcUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((d) => (d.credentialRegistry === undefined) === (d.credentialRegistryBlock === undefined), {
    message: 'credentialRegistry and credentialRegistryBlock go together',
    path: ['credentialRegistryBlock'],
  })
  .refine((d) => (d.prescriptionRegistry === undefined) === (d.prescriptionRegistryBlock === undefined), {
    message: 'prescriptionRegistry and prescriptionRegistryBlock go together',
    path: ['prescriptionRegistryBlock'],
  })
  .refine((d) => d.prescriptionRegistry === undefined || d.credentialRegistry !== undefined, {
    message: 'a prescriptionRegistry needs its credentialRegistry',
    path: ['credentialRegistry'],
  })

/** Parses a deployment file's JSON text; the error names the file and the bad field. */
export function parseDeploymentFile(text: string, path: string): DeploymentFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new Error(`The deployment file ${path} is not JSON.`, { cause })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')
    throw new Error(`The deployment file ${path} is not valid (${problems}).`)
  }
  return parsed.data
}

/** Reads and parses a deployment file. */
export function readDeploymentFile(path: string): DeploymentFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new Error(`The deployment file ${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}).`, { cause })
  }
  return parseDeploymentFile(text, path)
}

/**
 * The environment with the variables of the deployment file that CAREKEY_DEPLOYMENT names
 * filled in. A variable also set directly must agree with the file: two sources that disagree
 * about a chain or a contract are a mistake, not a preference.
 *
 * @example
 * readShareHostConfig(withDeployment(process.env))
 */
export function withDeployment<Env extends Record<string, string | undefined>>(env: Env, read: (path: string) => DeploymentFile = readDeploymentFile): Env {
  const path = env.CAREKEY_DEPLOYMENT?.trim()
  if (!path) return env
  const deployment = read(path)
  const fromFile: Record<string, string> = {
    CAREKEY_CHAIN_ID: String(deployment.chainId),
    CAREKEY_CONSENT_REGISTRY: deployment.consentRegistry,
    CAREKEY_CONSENT_REGISTRY_BLOCK: String(deployment.deployBlock),
  }
  if (deployment.credentialRegistry !== undefined && deployment.credentialRegistryBlock !== undefined) {
    fromFile.CAREKEY_CREDENTIAL_REGISTRY = deployment.credentialRegistry
    fromFile.CAREKEY_CREDENTIAL_REGISTRY_BLOCK = String(deployment.credentialRegistryBlock)
  }
  if (deployment.prescriptionRegistry !== undefined && deployment.prescriptionRegistryBlock !== undefined) {
    fromFile.CAREKEY_PRESCRIPTION_REGISTRY = deployment.prescriptionRegistry
    fromFile.CAREKEY_PRESCRIPTION_REGISTRY_BLOCK = String(deployment.prescriptionRegistryBlock)
  }
  const conflicts = Object.entries(fromFile).filter(([name, value]) => {
    const set = env[name]?.trim()
    if (!set) return false
    return isAddress(value) ? set.toLowerCase() !== value.toLowerCase() : set !== value
  })
  if (conflicts.length > 0) {
    throw new Error(
      `CAREKEY_DEPLOYMENT (${path}) disagrees with ${conflicts.map(([name]) => name).join(', ')} set in the environment: unset one of them.`,
    )
  }
  return { ...env, ...fromFile }
}
