import { z } from 'zod'
import { isAddress, type Address } from 'viem'

/** What the share host needs to run. Read once from the environment at start. */
export type ShareHostConfig = {
  port: number
  host: string
  /** Public base URL of this host, used to build manifest and file URLs. */
  publicUrl: string
  chainId: number
  rpcUrl: string
  consentRegistry: Address
  dataDir: string
}

const address = z.string().refine(isAddress, 'must be a 0x-prefixed 20-byte address').transform((a) => a as Address)
const url = z.url({ protocol: /^https?$/ })

const schema = z.object({
  CAREKEY_SHARE_HOST_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  CAREKEY_SHARE_HOST_BIND: z.string().min(1).default('127.0.0.1'),
  CAREKEY_SHARE_HOST_URL: url.optional(),
  CAREKEY_CHAIN_ID: z.coerce.number().int().positive(),
  CAREKEY_RPC_URL: url,
  CAREKEY_CONSENT_REGISTRY: address,
  CAREKEY_SHARE_HOST_DATA_DIR: z.string().min(1).default('.carekey/share-host'),
})

/** Parses the share host's configuration; the error names each bad variable. */
export function readShareHostConfig(env: Record<string, string | undefined>): ShareHostConfig {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')
    throw new Error(`The share host's configuration is incomplete or invalid:\n${problems}`)
  }
  const e = parsed.data
  return {
    port: e.CAREKEY_SHARE_HOST_PORT,
    host: e.CAREKEY_SHARE_HOST_BIND,
    publicUrl: (e.CAREKEY_SHARE_HOST_URL ?? `http://localhost:${e.CAREKEY_SHARE_HOST_PORT}`).replace(/\/+$/, ''),
    chainId: e.CAREKEY_CHAIN_ID,
    rpcUrl: e.CAREKEY_RPC_URL,
    consentRegistry: e.CAREKEY_CONSENT_REGISTRY,
    dataDir: e.CAREKEY_SHARE_HOST_DATA_DIR,
  }
}
