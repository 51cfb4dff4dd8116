/// <reference types="trusted-types" />
import type { TrustedScriptURL, TrustedTypePolicy, TrustedTypesWindow } from 'trusted-types/lib'
import { TRUSTED_TYPES_POLICY_NAME } from './contentSecurityPolicy.ts'

/** The service worker's script as the build writes it (vite.config.ts: `filename: 'sw.ts'`, base `/`). */
export const SERVICE_WORKER_URL = '/sw.js'

type PolicyFactory = NonNullable<TrustedTypesWindow['trustedTypes']>
type ScriptUrlPolicy = Pick<TrustedTypePolicy, 'createScriptURL'>
/** The page: its Trusted Types factory, if the browser has one, and where it was loaded from. */
type PageScope = TrustedTypesWindow & { location: Pick<Location, 'origin' | 'href'> }

const policies = new WeakMap<PolicyFactory, ScriptUrlPolicy>()

/**
 * Creates CareKey's one Trusted Types policy, the only one the content security policy allows
 * (`trusted-types carekey`). It vouches only for CareKey's own worker scripts: URLs on the
 * page's own origin over http(s) (the service worker, `/sw.js`, and the vault's key-derivation
 * worker, a built asset). No HTML, no script text, no `blob:` or `data:` URL and no other origin,
 * so every other string that reaches a script sink (`innerHTML`, `eval`, `script.src`,
 * `importScripts`, `new Worker`) is refused by the browser. Created once: the browser refuses a
 * second policy of the same name.
 */
function carekeyPolicy(scope: PageScope, factory: PolicyFactory): ScriptUrlPolicy {
  const existing = policies.get(factory)
  if (existing) return existing
  const origin = scope.location.origin
  const policy = factory.createPolicy(TRUSTED_TYPES_POLICY_NAME, {
    createScriptURL: (url: string) => {
      const parsed = new URL(url, scope.location.href)
      const ownScript = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.origin === origin
      if (!ownScript) throw new TypeError(`CareKey's Trusted Types policy vouches only for CareKey's own scripts (${origin}), not for ${url}.`)
      return url
    },
  })
  policies.set(factory, policy)
  return policy
}

/**
 * A worker script's URL for a Trusted Types sink (`new Worker`, `navigator.serviceWorker.register`),
 * vouched for by CareKey's policy; the plain string where the browser has no Trusted Types.
 * Throws a TypeError for a URL that is not CareKey's own.
 *
 * @example
 * new Worker(trustedScriptUrl(new URL('./vaultKdf.worker.ts', import.meta.url).href), { type: 'module' })
 */
export function trustedScriptUrl(url: string, scope: PageScope = window): TrustedScriptURL | string {
  return scope.trustedTypes ? carekeyPolicy(scope, scope.trustedTypes).createScriptURL(url) : url
}

/**
 * The service worker's script URL for `navigator.serviceWorker.register`, vouched for by
 * CareKey's policy.
 *
 * @example
 * new Workbox(trustedServiceWorkerUrl(), { scope: '/' })
 */
export function trustedServiceWorkerUrl(scope: PageScope = window): TrustedScriptURL | string {
  return trustedScriptUrl(SERVICE_WORKER_URL, scope)
}
