/**
 * SMART Health Links for CareKey: the link payload, CareKey's `_ck` extension and the grant
 * kept beside the manifest, share files (JWE), the manifest exchange and the share host's
 * signed requests. Pure TypeScript that runs
 * in the browser and in Node; the share host (server/) and its client (src/chain/shareHost.ts)
 * both build on it.
 */
export * from './errors.ts'
export * from './link.ts'
export * from './carekeyExtension.ts'
export * from './shareGrant.ts'
export * from './jwe.ts'
export * from './manifest.ts'
export * from './signing.ts'
export * from './recipientProof.ts'
export * from './shareRequest.ts'
