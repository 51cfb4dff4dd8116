import {
  inspectShareFile,
  manifestUrlFor,
  type ShareFileUpload,
  type ShareStatus,
  type ShlManifest,
} from '../../src/domain/shl/index.ts'
import type { HostContext } from './context.ts'
import { newFileId } from './fileLocations.ts'
import type { StoredAccess, StoredFile, StoredShare } from './storage/shareStore.ts'

/** True while the host may serve the share (the chain is asked separately). */
export function isServable(share: StoredShare, now: number): boolean {
  return share.status === 'active' && (share.expiresAt === undefined || share.expiresAt * 1000 > now)
}

/** What the patient's app is told about a share. */
export function shareStatusView(share: StoredShare, publicUrl: string): ShareStatus {
  return {
    id: share.id,
    manifestUrl: manifestUrlFor(publicUrl, share.id),
    patient: share.patient,
    commitment: share.commitment,
    status: share.status,
    createdAt: new Date(share.createdAt).toISOString(),
    updatedAt: new Date(share.updatedAt).toISOString(),
    ...(share.expiresAt !== undefined && { expiresAt: share.expiresAt }),
    passcode: share.passcode
      ? { required: true, remainingAttempts: Math.max(0, share.passcode.allowed - share.passcode.failures) }
      : { required: false },
    files: share.files.map((f) => ({ id: f.id, contentType: f.contentType, length: f.length, lastUpdated: new Date(f.lastUpdated).toISOString() })),
  }
}

/**
 * The manifest for a share: files up to `embeddedLengthMax` characters embedded, the others
 * at location URLs that expire after the configured time (at most an hour).
 */
export async function buildManifest(ctx: HostContext, share: StoredShare, embeddedLengthMax: number | undefined): Promise<ShlManifest> {
  const limit = embeddedLengthMax ?? ctx.config.defaultEmbeddedLengthMax
  const expiresAt = Math.floor(ctx.clock() / 1000) + ctx.config.fileUrlTtlSeconds
  const files = await Promise.all(
    share.files.map(async (file) => {
      const described = {
        contentType: file.contentType,
        lastUpdated: new Date(file.lastUpdated).toISOString(),
        ...(file.contentType === 'application/fhir+json' && { fhirVersion: '4.0.1' }),
      }
      if (file.length <= limit) {
        const embedded = await ctx.store.readFile(share.id, file.id)
        if (embedded !== undefined) return { ...described, embedded }
      }
      return { ...described, location: await ctx.locations.url(share.id, file.id, expiresAt) }
    }),
  )
  return { status: 'can-change', files }
}

export type CheckedFiles = { ok: true; files: { meta: StoredFile; jwe: string }[] } | { ok: false; status: 400 | 413; detail: string }

/**
 * Checks uploaded files before anything is stored: each must be a JWE the way SMART Health
 * Links want it (dir + A256GCM, cty matching its content type), and all together within the
 * size limit. The host cannot read them, but it can refuse plaintext sent by mistake.
 */
export function checkUploadedFiles(ctx: HostContext, uploads: readonly ShareFileUpload[]): CheckedFiles {
  const total = uploads.reduce((sum, f) => sum + f.jwe.length, 0)
  if (total > ctx.config.maxShareBytes) {
    return { ok: false, status: 413, detail: `the files add up to ${total} bytes; a share may hold ${ctx.config.maxShareBytes}` }
  }
  const now = ctx.clock()
  const files: { meta: StoredFile; jwe: string }[] = []
  for (const [index, upload] of uploads.entries()) {
    const jwe = upload.jwe.trim()
    let cty: string | undefined
    try {
      cty = inspectShareFile(jwe).cty
    } catch (error) {
      return { ok: false, status: 400, detail: `files.${index}.jwe: ${error instanceof Error ? error.message : 'not a JWE'}` }
    }
    if (cty !== upload.contentType) {
      return { ok: false, status: 400, detail: `files.${index}: the JWE's cty (${cty ?? 'none'}) must be its contentType (${upload.contentType})` }
    }
    files.push({ meta: { id: newFileId(), contentType: upload.contentType, length: jwe.length, lastUpdated: now }, jwe })
  }
  return { ok: true, files }
}

/** Adds an entry to a share's access log. */
export async function recordAccess(ctx: HostContext, shareId: string, entry: Omit<StoredAccess, 'at'>): Promise<void> {
  await ctx.store.appendAccess(shareId, { at: ctx.clock(), ...entry })
}
