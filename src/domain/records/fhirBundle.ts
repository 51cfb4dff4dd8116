import type { Attachment, Bundle, Resource } from '@medplum/fhirtypes'

/**
 * Files stored encrypted in the wallet are referred to from their DocumentReference by a
 * `urn:uuid:` URL (the attachment's random id). When records leave the wallet (a share, a FHIR
 * export) the file's bytes are put inline instead, so the receiver needs nothing else.
 */
export const attachmentUrl = (attachmentId: string) => `urn:uuid:${attachmentId}`

/** The id of a file stored in the wallet that this attachment refers to, if it is one of ours. */
export function storedAttachmentId(attachment: Attachment, knownIds: readonly string[]): string | undefined {
  const id = attachment.url?.startsWith('urn:uuid:') ? attachment.url.slice('urn:uuid:'.length) : undefined
  return id !== undefined && knownIds.includes(id) ? id : undefined
}

/**
 * The resource with the bytes of its stored files inline (`attachment.data`, base64) instead of
 * their `urn:uuid:` URL. `readFile` is called once per stored file.
 *
 * @example
 * const complete = await inlineStoredAttachments(documentReference, summary.attachmentIds, readAttachmentBytes)
 */
export async function inlineStoredAttachments(
  resource: Resource,
  attachmentIds: readonly string[],
  readFile: (attachmentId: string) => Promise<Uint8Array>,
): Promise<Resource> {
  if (resource.resourceType !== 'DocumentReference' || attachmentIds.length === 0) return resource
  const content = await Promise.all(
    resource.content.map(async (entry) => {
      const id = storedAttachmentId(entry.attachment, attachmentIds)
      if (id === undefined) return entry
      const { url: _url, ...attachment } = entry.attachment
      return { ...entry, attachment: { ...attachment, data: bytesToBase64(await readFile(id)) } }
    }),
  )
  return { ...resource, content }
}

/**
 * A FHIR R4 collection Bundle of the given resources.
 *
 * @example
 * collectionBundle([allergy, lab], '2026-11-26T10:00:00Z')
 */
export function collectionBundle(resources: readonly Resource[], timestamp: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp,
    entry: resources.map((resource) => ({ resource })),
  }
}

/** Standard base64 (FHIR's encoding for binary data). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
