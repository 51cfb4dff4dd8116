/**
 * The SMART Health Links manifest exchange (STU1): the request a viewer POSTs to the link's
 * url, and the manifest the host answers with. Schemas are shared by the share host (to parse
 * requests) and the viewer (to parse replies); unknown properties are ignored, as the spec asks.
 */
import { z } from 'zod'
import { recipientProofSchema } from './recipientProof.ts'

/** Longest recipient name the host stores; longer names are refused rather than cut. */
export const MAX_RECIPIENT_LENGTH = 200
export const MAX_PASSCODE_LENGTH = 200

export const manifestRequestSchema = z.object({
  recipient: z
    .string()
    .trim()
    .min(1, 'recipient must name who is asking')
    .max(MAX_RECIPIENT_LENGTH, `recipient must be at most ${MAX_RECIPIENT_LENGTH} characters`),
  passcode: z.string().max(MAX_PASSCODE_LENGTH).optional(),
  embeddedLengthMax: z.int().min(0).optional(),
  /** CareKey's optional proof that the recipient controls an address (see recipientProof.ts). */
  _recipientProof: recipientProofSchema.optional(),
})

/** The body of a manifest request. */
export type ShlManifestRequest = z.input<typeof manifestRequestSchema>

const manifestFileSchema = z
  .object({
    contentType: z.string().min(1),
    location: z.url({ protocol: /^https?$/ }).optional(),
    embedded: z.string().min(1).optional(),
    lastUpdated: z.string().optional(),
    status: z.string().optional(),
    fhirVersion: z.string().optional(),
  })
  .refine((f) => f.location !== undefined || f.embedded !== undefined, 'a file needs a location or embedded content')

export const manifestSchema = z.object({
  status: z.string().optional(),
  files: z.array(manifestFileSchema),
})

/** A manifest as served: each file either embedded (JWE) or at a short-lived location. */
export type ShlManifest = z.infer<typeof manifestSchema>
export type ShlManifestFile = ShlManifest['files'][number]

/** The 401 reply to a wrong passcode. */
export const wrongPasscodeReplySchema = z.object({ remainingAttempts: z.int().min(0) })
