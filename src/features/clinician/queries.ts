import { queryOptions, skipToken } from '@tanstack/react-query'
import type { PublicClient } from 'viem'
import type { ConsentRegistryDeployment } from '../../chain/consentRegistry.ts'
import type { CareKeyShareInfo } from '../../domain/shl/index.ts'
import { readLinkGrant, readSharedGrant, type ReadLink, type ReadLinkGrantDeps } from './viewerActions.ts'

export const viewerKeys = {
  all: ['viewer'] as const,
  /** Per opening of a link: the grant at its share host, read once (it never changes under the link). */
  linkGrant: (opening: number) => [...viewerKeys.all, 'link-grant', opening] as const,
  /** Per opening of a link (the held link's id): a link opened again is checked afresh, never shown from an earlier read. */
  grant: (info: CareKeyShareInfo | undefined, opening: number) => [...viewerKeys.all, 'grant', opening, info?.terms.patient, info?.terms.salt] as const,
}

/** How often an open share's consent is checked again, so a revocation shows without a reload. */
export const SHARED_GRANT_RECHECK_MS = 15_000

/** The grant behind a CareKey link, read when the link is opened and every few seconds after; nothing for a link of another app. */
export const sharedGrantQueryOptions = (
  client: PublicClient | undefined,
  registry: ConsentRegistryDeployment,
  info: CareKeyShareInfo | undefined,
  opening: number,
) =>
  queryOptions({
    queryKey: viewerKeys.grant(info, opening),
    queryFn: client && info ? () => readSharedGrant(client, registry, info) : skipToken,
    staleTime: SHARED_GRANT_RECHECK_MS,
    refetchInterval: SHARED_GRANT_RECHECK_MS,
    retry: 1,
  })

/**
 * The grant behind a link whose grant is at its share host, fetched and decrypted once per
 * opening, before the passcode is asked for. Not retried on its own (the screen offers "Try
 * again"), and dropped as soon as the viewer is: it holds the bearer secret of a "whoever holds
 * this QR" grant.
 */
export const linkGrantQueryOptions = (deps: ReadLinkGrantDeps, read: ReadLink, opening: number) =>
  queryOptions({
    queryKey: viewerKeys.linkGrant(opening),
    queryFn: () => readLinkGrant(deps, read),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  })
