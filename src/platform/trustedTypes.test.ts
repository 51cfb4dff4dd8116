import type { TrustedTypePolicyOptions, TrustedTypesWindow } from 'trusted-types/lib'
import { describe, expect, it } from 'vitest'
import { SERVICE_WORKER_URL, trustedServiceWorkerUrl } from './trustedTypes.ts'

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
  return { scope: { trustedTypes } as unknown as TrustedTypesWindow, made }
}

describe('trustedServiceWorkerUrl', () => {
  it('vouches for the service worker through the one policy the content security policy names, made once', () => {
    const { scope, made } = browserWithTrustedTypes()
    expect(trustedServiceWorkerUrl(scope)).toEqual({ vouched: '/sw.js' })
    expect(trustedServiceWorkerUrl(scope)).toEqual({ vouched: '/sw.js' })
    expect(made.map((policy) => policy.name)).toEqual(['carekey'])
  })

  it('vouches for nothing else: no other script URL, no HTML, no script text', () => {
    const { scope, made } = browserWithTrustedTypes()
    trustedServiceWorkerUrl(scope)
    const rules = made[0]?.rules
    expect(() => rules?.createScriptURL?.('https://elsewhere.example/sw.js')).toThrow(/vouches only for \/sw\.js/)
    expect(() => rules?.createScriptURL?.('/sw.js?x')).toThrow(TypeError)
    expect(rules?.createHTML).toBeUndefined()
    expect(rules?.createScript).toBeUndefined()
  })

  it('gives the plain URL where the browser has no Trusted Types', () => {
    expect(trustedServiceWorkerUrl({} as TrustedTypesWindow)).toBe(SERVICE_WORKER_URL)
  })
})
