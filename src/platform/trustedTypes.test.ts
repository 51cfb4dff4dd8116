import type { TrustedTypePolicyOptions, TrustedTypesWindow } from 'trusted-types/lib'
import { describe, expect, it } from 'vitest'
import { SERVICE_WORKER_URL, trustedScriptUrl, trustedServiceWorkerUrl } from './trustedTypes.ts'

/** A browser's Trusted Types factory, as far as CareKey uses it: notes each policy made. */
function browserWithTrustedTypes() {
  const made: { name: string; rules: TrustedTypePolicyOptions }[] = []
  const trustedTypes = {
    createPolicy: (name: string, rules: TrustedTypePolicyOptions) => {
      if (made.some((policy) => policy.name === name)) throw new TypeError(`a policy named ${name} exists`)
      made.push({ name, rules })
      return { createScriptURL: (url: string) => ({ vouched: rules.createScriptURL?.(url) }) }
    },
  }
  const location = { origin: 'https://carekey.example.org', href: 'https://carekey.example.org/wallet' }
  return { scope: { trustedTypes, location } as unknown as TrustedTypesWindow & { location: Location }, made }
}

describe('trustedServiceWorkerUrl', () => {
  it('vouches for the service worker through the one policy the content security policy names, made once', () => {
    const { scope, made } = browserWithTrustedTypes()
    expect(trustedServiceWorkerUrl(scope)).toEqual({ vouched: '/sw.js' })
    expect(trustedServiceWorkerUrl(scope)).toEqual({ vouched: '/sw.js' })
    expect(made.map((policy) => policy.name)).toEqual(['carekey'])
  })

  it('vouches for CareKey’s own worker scripts through the same policy', () => {
    const { scope, made } = browserWithTrustedTypes()
    trustedServiceWorkerUrl(scope)
    expect(trustedScriptUrl('https://carekey.example.org/assets/vaultKdf.worker-Ab12.js', scope)).toEqual({ vouched: 'https://carekey.example.org/assets/vaultKdf.worker-Ab12.js' })
    expect(made.map((policy) => policy.name)).toEqual(['carekey'])
  })

  it('vouches for nothing else: no other origin, no blob: or data: script, no HTML, no script text', () => {
    const { scope, made } = browserWithTrustedTypes()
    trustedServiceWorkerUrl(scope)
    const rules = made[0]?.rules
    expect(() => rules?.createScriptURL?.('https://elsewhere.example/sw.js')).toThrow(/only for CareKey's own scripts/)
    expect(() => rules?.createScriptURL?.('//elsewhere.example/sw.js')).toThrow(TypeError)
    expect(() => rules?.createScriptURL?.('blob:https://carekey.example.org/6f1c')).toThrow(TypeError)
    expect(() => rules?.createScriptURL?.('data:text/javascript,alert(1)')).toThrow(TypeError)
    expect(rules?.createHTML).toBeUndefined()
    expect(rules?.createScript).toBeUndefined()
  })

  it('gives the plain URL where the browser has no Trusted Types', () => {
    expect(trustedServiceWorkerUrl({ location: { origin: 'https://carekey.example.org', href: 'https://carekey.example.org/' } } as TrustedTypesWindow & { location: Location })).toBe(SERVICE_WORKER_URL)
  })
})
