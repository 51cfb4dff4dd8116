/// <reference types="trusted-types" />
import type { TrustedScriptURL, TrustedTypePolicy, TrustedTypesWindow } from 'trusted-types/lib'
import { TRUSTED_TYPES_POLICY_NAME } from './contentSecurityPolicy.ts'

/** The service worker's script as the build writes it (vite.config.ts: `filename: 'sw.ts'`, base `/`). */
export const SERVICE_WORKER_URL = '/sw.js'

type PolicyFactory = NonNullable<TrustedTypesWindow['trustedTypes']>
type ScriptUrlPolicy = Pick<TrustedTypePolicy, 'createScriptURL'>

const policies = new WeakMap<PolicyFactory, ScriptUrlPolicy>()

/**
 * Creates CareKey's one Trusted Types policy, the only one the content security policy allows
 * (`trusted-types carekey`). It vouches for a single script URL, the service worker's, and for
 * nothing else: no HTML, no script text, no other script URL, so every other string that reaches
 * a script sink (`innerHTML`, `eval`, `script.src`, `importScripts`) is refused by the browser.
 * Created once: the policy refuses a second policy of the same name.
 */
function carekeyPolicy(factory: PolicyFactory): ScriptUrlPolicy {
  const existing = policies.get(factory)
  if (existing) return existing
  const policy = factory.createPolicy(TRUSTED_TYPES_POLICY_NAME, {
    createScriptURL: (url: string) => {
      if (url !== SERVICE_WORKER_URL) throw new TypeError(`CareKey's Trusted Types policy vouches only for ${SERVICE_WORKER_URL}, not for ${url}.`)
      return url
    },
  })
  policies.set(factory, policy)
  return policy
}

/**
 * The service worker's script URL for `navigator.serviceWorker.register` (a Trusted Types sink),
 * vouched for by CareKey's policy; the plain string where the browser has no Trusted Types.
 *
 * @example
 * new Workbox(trustedServiceWorkerUrl(), { scope: '/' })
 */
export function trustedServiceWorkerUrl(scope: TrustedTypesWindow = window): TrustedScriptURL | string {
  return scope.trustedTypes ? carekeyPolicy(scope.trustedTypes).createScriptURL(SERVICE_WORKER_URL) : SERVICE_WORKER_URL
}
