import { createHash } from 'node:crypto'
import type { Context } from 'hono'
import type { Hex } from 'viem'
import { fail } from '../context.ts'

export type SignedBody = { ok: true; text: string } | { ok: false; response: Response }
export type SignedBytes = { ok: true; bytes: Uint8Array } | { ok: false; response: Response }

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads the body of a request whose signer may act, and checks it against the SHA-256 the
 * signature covers. Never more than `maxBytes`: a larger Content-Length is refused before a
 * byte is read, a longer stream as soon as it passes the limit. The hash is native and fed
 * chunk by chunk as the body arrives, so the event loop never holds a whole body's work.
 *
 * @example
 * const body = await readSignedBody(c, authorized.bodyHash, 1024)
 * if (!body.ok) return body.response
 * const request = parseJson(body.text)
 */
export async function readSignedBody(c: Context, claimedHash: Hex, maxBytes: number): Promise<SignedBody> {
  const body = await readSignedBytes(c, claimedHash, maxBytes)
  if (!body.ok) return body
  try {
    return { ok: true, text: utf8.decode(body.bytes) }
  } catch {
    // The patient signed these bytes, but they are not text: nothing to parse.
    return { ok: false, response: fail(c, 400, 'invalid_request', 'the request body is not UTF-8 text') }
  }
}

/**
 * The same for a binary body (a backup upload): its exact bytes, once they match the signed
 * hash. A body cut off midway (the connection dropped) or shorter than signed is refused.
 *
 * @example
 * const body = await readSignedBytes(c, authorized.bodyHash, ctx.config.backups.maxBytes)
 * if (!body.ok) return body.response
 */
export async function readSignedBytes(c: Context, claimedHash: Hex, maxBytes: number): Promise<SignedBytes> {
  const tooLarge = () => ({ ok: false, response: fail(c, 413, 'payload_too_large', `the request body may be at most ${maxBytes} bytes`) }) as const
  if (declaredLength(c) > maxBytes) return tooLarge()

  const hash = createHash('sha256')
  const chunks: Uint8Array[] = []
  let length = 0
  const stream = c.req.raw.body
  if (stream) {
    const reader = stream.getReader()
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        chunk = await reader.read()
      } catch {
        // The client went away mid-upload: nobody will read this answer, and nothing is stored.
        return { ok: false, response: fail(c, 400, 'invalid_request', 'the request body ended before it was complete; nothing was stored') }
      }
      if (chunk.done) break
      length += chunk.value.byteLength
      if (length > maxBytes) {
        await reader.cancel()
        return tooLarge()
      }
      hash.update(chunk.value)
      chunks.push(chunk.value)
    }
  }
  if (`0x${hash.digest('hex')}` !== claimedHash.toLowerCase()) {
    return { ok: false, response: fail(c, 401, 'unauthenticated', 'the body does not match its signature') }
  }
  return { ok: true, bytes: Buffer.concat(chunks, length) }
}

/** The Content-Length a request declares; 0 when it declares none (the stream is still capped). */
export function declaredLength(c: Context): number {
  const declared = Number(c.req.header('content-length'))
  return Number.isFinite(declared) ? declared : 0
}
