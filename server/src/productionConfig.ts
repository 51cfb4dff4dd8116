import { z } from 'zod'
import type { DeploymentFile } from '../../contracts/deployment.ts'
import { readShareHostConfig, type ShareHostConfig } from './config.ts'

/** What `npm start` needs: the share host's configuration and where the built app is. */
export type ProductionConfig = {
  /** The share host, whose public URL (CAREKEY_SHARE_HOST_URL) is also the app's address. */
  shareHost: ShareHostConfig
  /** The built app (`npm run build`): index.html, assets/, the service worker, the manifest. */
  distDir: string
}

const schema = z.object({
  CAREKEY_DIST_DIR: z.string().trim().min(1, 'must name a folder').default('dist'),
})

/**
 * Parses `npm start`'s configuration: the share host's variables (see config.ts) plus
 * CAREKEY_DIST_DIR. The app and the share host answer at one origin, so the share host's public
 * URL must be an origin with no path. The error names each bad variable.
 *
 * @example
 * readProductionConfig(process.env).distDir // "dist"
 */
export function readProductionConfig(env: Record<string, string | undefined>, readDeployment?: (path: string) => DeploymentFile): ProductionConfig {
  const shareHost = readShareHostConfig(env, readDeployment)
  const problems: string[] = []
  const parsed = schema.safeParse(env)
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`))
  const publicUrl = new URL(shareHost.publicUrl)
  if (publicUrl.pathname !== '/' || publicUrl.search !== '' || publicUrl.hash !== '') {
    problems.push(
      `  CAREKEY_SHARE_HOST_URL: must be the address people open the app at, with no path (such as ${publicUrl.origin}): the app and the share host are served together from its root`,
    )
  }
  if (!parsed.success || problems.length > 0) throw new Error(`The production server's configuration is invalid:\n${problems.join('\n')}`)
  return { shareHost, distDir: parsed.data.CAREKEY_DIST_DIR }
}
