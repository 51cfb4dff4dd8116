import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseContentSecurityPolicy } from '../../src/platform/contentSecurityPolicy.ts'

/** The app as `npm run build` left it, checked before `npm start` serves it. */
export type BuiltApp = {
  /** The folder, absolute. */
  root: string
  /** The content security policy of index.html's meta tag, as written there. */
  contentSecurityPolicy: string
}

/** The built app is missing, or was built for another address than the one serving it. */
export class BuiltAppError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BuiltAppError'
  }
}

const POLICY_META = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content="([^"]*)"/i

/**
 * Reads the built app in `distDir` and checks that it uses `publicUrl`, the address this
 * process answers at, as its share host: the app and the share host are one origin.
 *
 * @example
 * readBuiltApp('dist', 'https://carekey.example.org').contentSecurityPolicy // "default-src 'self'; …"
 */
export function readBuiltApp(distDir: string, publicUrl: string): BuiltApp {
  const root = resolve(distDir)
  let html: string
  try {
    html = readFileSync(join(root, 'index.html'), 'utf8')
  } catch {
    throw new BuiltAppError(
      `There is no built app in ${root} (no index.html). Run \`npm run build\` first, with the same CAREKEY_* settings as \`npm start\`, or set CAREKEY_DIST_DIR to the folder it built.`,
    )
  }
  const meta = POLICY_META.exec(html)?.[1]
  if (meta === undefined) {
    throw new BuiltAppError(`${join(root, 'index.html')} has no content security policy: it was not built by \`npm run build\`. Build it again.`)
  }
  const contentSecurityPolicy = decodeHtmlAttribute(meta)
  // The build lists its share host's origin among the places the app may connect to.
  const origin = new URL(publicUrl).origin
  const connectSrc = parseContentSecurityPolicy(contentSecurityPolicy).connectSrc ?? []
  if (!connectSrc.includes(origin)) {
    throw new BuiltAppError(
      `The app in ${root} was built for another share host than this server (${origin}): it may connect to ${connectSrc.join(' ')}. ` +
        `The app and the share host are served together here, so build it with CAREKEY_SHARE_HOST_URL=${origin} (\`npm run build\`), then start again.`,
    )
  }
  return { root, contentSecurityPolicy }
}

/** Vite writes attribute values with HTML character references (`'` as `&#39;`). */
function decodeHtmlAttribute(value: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
  return value.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (reference, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return String.fromCodePoint(Number(decimal))
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16))
    return named[name?.toLowerCase() ?? ''] ?? reference
  })
}

/**
 * Files whose name carries a content hash (Vite's `assets/<name>-<8 characters>.<ext>`, and
 * their source maps): a new version gets a new name, so browsers may keep them for good.
 *
 * @example
 * isHashedAsset('/assets/index-DCQ0UQSC.js') // true
 * isHashedAsset('/sw.js') // false
 */
export function isHashedAsset(path: string): boolean {
  return /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+(?:\.map)?$/.test(path)
}
