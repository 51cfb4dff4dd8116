import { z } from 'zod'
import { isHex, type Address, type Hex } from 'viem'
import { withDeployment, type DeploymentFile } from '../../contracts/deployment.ts'
import { DEFAULT_BACKUP_VERSIONS_KEPT, DEFAULT_MAX_BACKUP_BYTES } from '../../src/domain/backup/hostBackup.ts'
import { addressSchema } from '../../src/domain/hex.ts'
import type { ShareQuota } from './storage/shareStore.ts'

/** What the share host needs to run. Read once from the environment at start. */
export type ShareHostConfig = {
  port: number
  host: string
  /** Public base URL of this host, used to build manifest and file URLs. */
  publicUrl: string
  chainId: number
  rpcUrl: string
  consentRegistry: Address
  /** Where the embedded store (PGlite) keeps its database when no database URL is given. */
  dataDir: string
  /** A PostgreSQL server shared by several hosts; undefined for the embedded store. Never logged. */
  databaseUrl: string | undefined
  /** Active shares and their bytes, per patient address and per grant. */
  quota: ShareQuota
  /** Entries kept per share's access log; older ones are dropped and counted. */
  accessLogCap: number
  /** Lifetime of a file `location` URL; the spec allows at most one hour. */
  fileUrlTtlSeconds: number
  /** Wrong passcodes a share survives over its whole life; then it is dead for good. */
  passcodeAttempts: number
  /** Largest total size of a share's encrypted files. */
  maxShareBytes: number
  /** Files up to this length are embedded in a manifest when the viewer did not say. */
  defaultEmbeddedLengthMax: number
  /** Requests per minute per client address; 0 turns the limit off. */
  rateLimitPerMinute: number
  /**
   * Proxies in front of the host that append the address they saw to X-Forwarded-For; the
   * client address is the entry this many places from the right. 0: the socket's address.
   */
  trustedProxyHops: number
  /** How long the chain's block number is reused; grant reads are cached within a block. */
  blockTtlMs: number
  /** One line per request (method, route pattern, status, time): never ids, bodies or addresses. */
  logRequests: boolean
  relay: RelayConfig
  backups: BackupConfig
}

/** Wallets' encrypted online backups (`/api/backups/...`, see src/domain/backup/hostBackup.ts). */
export type BackupConfig = {
  /** The largest upload accepted; a larger one is refused (413) before a byte of it is read. */
  maxBytes: number
  /** Versions kept per backup; the oldest goes when a new one lands. */
  versionsKept: number
  /** Backup requests per minute per client address (on top of the host's own limit); 0 turns the limit off. */
  rateLimitPerMinute: number
}

/** The sponsor relay (`/api/relay/...`): off without a sponsor key. */
export type RelayConfig = {
  /** The funded account that pays for relayed grants and revokes. Never logged. */
  sponsorKey: Hex | undefined
  /** Relay requests per minute per client address; 0 turns the limit off. */
  rateLimitPerMinute: number
  /** Gas the sponsor spends per UTC day, over all clients. */
  gasPerDay: bigint
  /** A transaction not mined after this long is sent again with the same nonce and a higher fee. */
  resendAfterMs: number
  /** After this long without a receipt the relay answers 504 `not-confirmed`. */
  confirmTimeoutMs: number
  /** How often the relay asks the chain for a receipt. */
  pollingIntervalMs: number
}

/** The manifest URL is `<publicUrl>/shl/<43 characters>`, and the spec caps it at 128 characters. */
export const MAX_PUBLIC_URL_LENGTH = 128 - '/shl/'.length - 43
/** SMART Health Links: "The lifetime of .files.location links SHALL NOT exceed one hour." */
export const MAX_FILE_URL_TTL_SECONDS = 3600

const url = z.url({ protocol: /^https?$/ })
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
/** The largest CAREKEY_BACKUP_MAX_BYTES: each upload is held in memory once while it is stored. */
export const MAX_BACKUP_BYTES_LIMIT = 512 * 1_048_576

/** The most proxies in a row CAREKEY_SHARE_HOST_TRUST_PROXY may count. */
export const MAX_TRUSTED_PROXY_HOPS = 10
const proxyHops = z
  .string()
  .trim()
  .refine(
    (v) => v === 'true' || v === 'false' || (/^\d{1,2}$/.test(v) && Number(v) <= MAX_TRUSTED_PROXY_HOPS),
    `must be the number of proxies in front of the host that append to X-Forwarded-For, 0 to ${MAX_TRUSTED_PROXY_HOPS} (0: none, use the socket's address; "true" means 1, "false" 0)`,
  )
  .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v)))

const schema = z.object({
  CAREKEY_SHARE_HOST_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  CAREKEY_SHARE_HOST_BIND: z.string().min(1).default('127.0.0.1'),
  CAREKEY_SHARE_HOST_URL: url
    .transform((u) => u.replace(/\/+$/, ''))
    .refine((u) => u.length <= MAX_PUBLIC_URL_LENGTH, `must be at most ${MAX_PUBLIC_URL_LENGTH} characters, so that manifest URLs stay within the 128 the spec allows`)
    .optional(),
  CAREKEY_CHAIN_ID: z.coerce.number().int().positive(),
  CAREKEY_RPC_URL: url,
  CAREKEY_CONSENT_REGISTRY: addressSchema,
  CAREKEY_SHARE_HOST_DATA_DIR: z.string().min(1).default('.carekey/share-host'),
  CAREKEY_SHARE_HOST_DATABASE_URL: z
    .string()
    .trim()
    .refine((u) => u === '' || /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// or postgresql:// URL')
    .transform((u) => (u === '' ? undefined : u))
    .optional(),
  CAREKEY_SHARE_HOST_MAX_SHARES_PER_PATIENT: z.coerce.number().int().min(1).default(50),
  CAREKEY_SHARE_HOST_MAX_BYTES_PER_PATIENT: z.coerce.number().int().min(1024).default(256 * 1_048_576),
  CAREKEY_SHARE_HOST_MAX_SHARES_PER_GRANT: z.coerce.number().int().min(1).default(10),
  CAREKEY_SHARE_HOST_MAX_BYTES_PER_GRANT: z.coerce.number().int().min(1024).default(64 * 1_048_576),
  CAREKEY_SHARE_HOST_ACCESS_LOG_CAP: z.coerce.number().int().min(10).max(100_000).default(500),
  CAREKEY_SHARE_HOST_FILE_URL_TTL: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_FILE_URL_TTL_SECONDS, `must be at most ${MAX_FILE_URL_TTL_SECONDS} seconds (SMART Health Links allow one hour)`)
    .default(900),
  CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  CAREKEY_SHARE_HOST_MAX_SHARE_BYTES: z.coerce.number().int().min(1024).max(512 * 1_048_576).default(32 * 1_048_576),
  CAREKEY_SHARE_HOST_EMBED_MAX: z.coerce.number().int().min(0).max(1_048_576).default(16_384),
  CAREKEY_SHARE_HOST_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  CAREKEY_SHARE_HOST_TRUST_PROXY: proxyHops.default(0),
  CAREKEY_SHARE_HOST_BLOCK_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  CAREKEY_SHARE_HOST_LOG_REQUESTS: flag.default(false),
  CAREKEY_SPONSOR_PRIVATE_KEY: z
    .string()
    .trim()
    .refine((k) => k === '' || (isHex(k, { strict: true }) && k.length === 66), 'must be a 0x-prefixed 32-byte private key')
    .transform((k) => (k === '' ? undefined : (k as Hex)))
    .optional(),
  CAREKEY_RELAY_RATE_LIMIT: z.coerce.number().int().min(0).default(20),
  CAREKEY_RELAY_GAS_PER_DAY: z.coerce.bigint().min(0n).default(5_000_000n),
  CAREKEY_RELAY_RESEND_AFTER_MS: z.coerce.number().int().min(100).default(30_000),
  CAREKEY_RELAY_CONFIRM_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(180_000),
  CAREKEY_RELAY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  CAREKEY_BACKUP_MAX_BYTES: z.coerce.number().int().min(1024).max(MAX_BACKUP_BYTES_LIMIT).default(DEFAULT_MAX_BACKUP_BYTES),
  CAREKEY_BACKUP_VERSIONS_KEPT: z.coerce.number().int().min(1).max(100).default(DEFAULT_BACKUP_VERSIONS_KEPT),
  CAREKEY_BACKUP_RATE_LIMIT: z.coerce.number().int().min(0).default(60),
})

/**
 * Parses the share host's configuration; the error names each bad variable. CAREKEY_DEPLOYMENT
 * may name a deployment file (`npm run deploy`) that gives the chain id and the registry.
 */
export function readShareHostConfig(env: Record<string, string | undefined>, readDeployment?: (path: string) => DeploymentFile): ShareHostConfig {
  const parsed = schema.safeParse(withDeployment(env, readDeployment))
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')
    throw new Error(`The share host's configuration is incomplete or invalid:\n${problems}`)
  }
  const e = parsed.data
  return {
    port: e.CAREKEY_SHARE_HOST_PORT,
    host: e.CAREKEY_SHARE_HOST_BIND,
    publicUrl: e.CAREKEY_SHARE_HOST_URL ?? `http://localhost:${e.CAREKEY_SHARE_HOST_PORT}`,
    chainId: e.CAREKEY_CHAIN_ID,
    rpcUrl: e.CAREKEY_RPC_URL,
    consentRegistry: e.CAREKEY_CONSENT_REGISTRY,
    dataDir: e.CAREKEY_SHARE_HOST_DATA_DIR,
    databaseUrl: e.CAREKEY_SHARE_HOST_DATABASE_URL,
    quota: {
      sharesPerPatient: e.CAREKEY_SHARE_HOST_MAX_SHARES_PER_PATIENT,
      bytesPerPatient: e.CAREKEY_SHARE_HOST_MAX_BYTES_PER_PATIENT,
      sharesPerGrant: e.CAREKEY_SHARE_HOST_MAX_SHARES_PER_GRANT,
      bytesPerGrant: e.CAREKEY_SHARE_HOST_MAX_BYTES_PER_GRANT,
    },
    accessLogCap: e.CAREKEY_SHARE_HOST_ACCESS_LOG_CAP,
    fileUrlTtlSeconds: e.CAREKEY_SHARE_HOST_FILE_URL_TTL,
    passcodeAttempts: e.CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS,
    maxShareBytes: e.CAREKEY_SHARE_HOST_MAX_SHARE_BYTES,
    defaultEmbeddedLengthMax: e.CAREKEY_SHARE_HOST_EMBED_MAX,
    rateLimitPerMinute: e.CAREKEY_SHARE_HOST_RATE_LIMIT,
    trustedProxyHops: e.CAREKEY_SHARE_HOST_TRUST_PROXY,
    blockTtlMs: e.CAREKEY_SHARE_HOST_BLOCK_TTL_MS,
    logRequests: e.CAREKEY_SHARE_HOST_LOG_REQUESTS,
    relay: {
      sponsorKey: e.CAREKEY_SPONSOR_PRIVATE_KEY,
      rateLimitPerMinute: e.CAREKEY_RELAY_RATE_LIMIT,
      gasPerDay: e.CAREKEY_RELAY_GAS_PER_DAY,
      resendAfterMs: e.CAREKEY_RELAY_RESEND_AFTER_MS,
      confirmTimeoutMs: e.CAREKEY_RELAY_CONFIRM_TIMEOUT_MS,
      pollingIntervalMs: e.CAREKEY_RELAY_POLL_MS,
    },
    backups: {
      maxBytes: e.CAREKEY_BACKUP_MAX_BYTES,
      versionsKept: e.CAREKEY_BACKUP_VERSIONS_KEPT,
      rateLimitPerMinute: e.CAREKEY_BACKUP_RATE_LIMIT,
    },
  }
}
