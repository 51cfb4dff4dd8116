import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ShareHostErrorReply } from '../../src/domain/shl/index.ts'
import type { GrantStatusReader } from './chain/grantStatus.ts'
import type { ShareHostConfig } from './config.ts'
import type { FileLocations } from './fileLocations.ts'
import type { SignatureContext } from './http/signatures.ts'
import type { SponsorRelay } from './relay/relay.ts'
import type { ServingCache } from './servingCache.ts'
import type { ShareStore } from './storage/shareStore.ts'

/** Everything the routes share: configuration, storage, the chain and the clock. */
export type HostContext = {
  config: ShareHostConfig
  store: ShareStore
  grants: GrantStatusReader
  /** Unix milliseconds. Tests pass a clock they move. */
  clock: () => number
  locations: FileLocations
  signatures: SignatureContext
  /** Share records and small files for viewers' requests, reused for a moment. */
  serving: ServingCache
  /** The sponsor relay; undefined when no sponsor key is configured. */
  relay: SponsorRelay | undefined
}

/** The host's error reply: a stable code for programs, a detail for developers. */
export function fail(c: Context, status: ContentfulStatusCode, error: string, detail?: string, extra: Partial<ShareHostErrorReply> = {}) {
  return c.json({ error, ...(detail !== undefined && { detail }), ...extra } satisfies ShareHostErrorReply, status)
}

/** Parses a JSON body; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The first problem zod found, as `field: message`, for a 400 reply. */
export function describeIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0]
  if (!issue) return 'the request body is invalid'
  const path = issue.path.map(String).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}
