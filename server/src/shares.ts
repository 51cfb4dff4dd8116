import {
  inspectShareFile,
  manifestUrlFor,
  type AccessLogEntry,
  type ShareAccessLog,
  type ShareFileUpload,
  type ShareStatus,
  type ShlManifest,
} from '../../src/domain/shl/index.ts'
import type { HostContext } from './context.ts'
import { newFileId } from './fileLocations.ts'
import type { AccessLogPage, StoredAccess, StoredFile, StoredShare } from './storage/shareStore.ts'

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
        const embedded = await ctx.serving.file(share.id, file.id)
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

/**
 * The access log as the patient reads it: oldest first, repeated wrong passcodes under one
 * name as one entry with a count and a time range, and how many older entries were dropped.
 */
export function accessLogReply(share: StoredShare, page: AccessLogPage, publicUrl: string): ShareAccessLog {
  const entries: AccessLogEntry[] = []
  let run: { first: StoredAccess; last: StoredAccess; count: number } | undefined
  const flush = () => {
    if (!run) return
    entries.push({
      at: new Date(run.first.at).toISOString(),
      recipient: run.first.recipient,
      outcome: 'wrong-passcode',
      ...(run.count > 1 && { count: run.count, lastAt: new Date(run.last.at).toISOString() }),
    })
    run = undefined
  }
  for (const entry of page.entries) {
    if (entry.outcome === 'wrong-passcode') {
      if (run && run.first.recipient === entry.recipient) {
        run.last = entry
        run.count += 1
        continue
      }
      flush()
      run = { first: entry, last: entry, count: 1 }
      continue
    }
    flush()
    entries.push({
      at: new Date(entry.at).toISOString(),
      recipient: entry.recipient,
      outcome: entry.outcome,
      ...(entry.verifiedAddress && { verifiedAddress: entry.verifiedAddress }),
    })
  }
  flush()
  return { share: shareStatusView(share, publicUrl), entries, dropped: page.dropped }
}
