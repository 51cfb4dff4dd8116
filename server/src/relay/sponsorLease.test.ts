import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import type { SqlDatabase } from '../storage/sql/database.ts'
import { pgliteDatabase } from '../storage/sql/pgliteDatabase.ts'
import { SqlShareStore } from '../storage/sql/sqlShareStore.ts'
import { SPONSOR_LEASE_MS, SponsorLease } from './sponsorLease.ts'

let db: SqlDatabase
let store: SqlShareStore
beforeAll(async () => {
  db = await pgliteDatabase()
  store = new SqlShareStore(db, { quota: { sharesPerPatient: 1, bytesPerPatient: 1, sharesPerGrant: 1, bytesPerGrant: 1 }, accessLogCap: 10 })
  await store.init()
})
afterAll(async () => {
  await store.close()
})

describe('the sponsor lease of hosts sharing a database', () => {
  it('lets one host at a time send with a sponsor key, keeps it while that host relays, frees it a minute after it stops', async () => {
    let now = 1_800_000_000_000
    const clock = () => now
    const sponsor = privateKeyToAddress(generatePrivateKey())
    const hostA = new SponsorLease(store, sponsor, clock)
    const hostB = new SponsorLease(store, sponsor, clock)
    expect(await hostA.hold()).toBe(true)
    expect(await hostB.hold()).toBe(false)
    // A relays now and then: its lease is renewed before it runs out, and B still waits.
    for (let i = 0; i < 5; i++) {
      now += SPONSOR_LEASE_MS * 0.6
      expect(await hostA.hold()).toBe(true)
      expect(await hostB.hold()).toBe(false)
    }
    // A stops (or crashed): a lease later, B takes over and A no longer sends.
    now += SPONSOR_LEASE_MS
    expect(await hostB.hold()).toBe(true)
    now += 1
    expect(await hostA.hold()).toBe(false)
  })

  it('lets hosts with keys of their own relay side by side', async () => {
    const clock = () => 1_800_000_000_000
    const leases = Array.from({ length: 3 }, () => new SponsorLease(store, privateKeyToAddress(generatePrivateKey()), clock))
    expect(await Promise.all(leases.map((lease) => lease.hold()))).toEqual([true, true, true])
  })
})
