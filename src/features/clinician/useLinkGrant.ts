import { useQuery } from '@tanstack/react-query'
import { appConfig } from '../../platform/index.ts'
import { connectOrigins } from '../../platform/contentSecurityPolicy.ts'
import { linkGrantQueryOptions } from './queries.ts'
import type { ReadLink } from './viewerActions.ts'

/** The grant behind a link whose grant is at its share host (readLinkGrant), for this opening of the link. */
export function useLinkGrant(read: ReadLink, opening: number) {
  return useQuery(linkGrantQueryOptions({ reachableOrigins: [window.location.origin, ...connectOrigins(appConfig)] }, read, opening))
}
