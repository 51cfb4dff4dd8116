import { readFileSync } from 'node:fs'

/**
 * The local development chain's settings (contracts/deployments/local.json, written by
 * `npm run dev`) as CAREKEY_* defaults for `npm run server` and `npm start`; none when there
 * is no such file. A deployment file (CAREKEY_DEPLOYMENT) replaces them.
 *
 * @example
 * readShareHostConfig({ ...localChainDefaults(), ...process.env })
 */
export function localChainDefaults(): Record<string, string> {
  try {
    const local = JSON.parse(readFileSync(new URL('../../contracts/deployments/local.json', import.meta.url), 'utf8')) as {
      chainId: number
      consentRegistry: string
      rpcUrl: string
    }
    return { CAREKEY_CHAIN_ID: String(local.chainId), CAREKEY_CONSENT_REGISTRY: local.consentRegistry, CAREKEY_RPC_URL: local.rpcUrl }
  } catch {
    return {}
  }
}
