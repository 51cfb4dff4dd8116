import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Short-lived file `location` URLs: `<publicUrl>/shl/<share>/files/<file>?exp=<unix s>&sig=<mac>`,
 * where the mac is HMAC-SHA256 under the host's secret over share, file and expiry. Nothing is
 * stored per URL; a URL is good until `exp` and only for the file it names.
 */
export class FileLocations {
  constructor(
    private readonly publicUrl: string,
    private readonly secret: () => Promise<Uint8Array>,
  ) {}

  async url(shareId: string, fileId: string, expiresAt: number): Promise<string> {
    const sig = await this.mac(shareId, fileId, expiresAt)
    return `${this.publicUrl}/shl/${shareId}/files/${fileId}?exp=${expiresAt}&sig=${sig}`
  }

  /** 'valid', 'expired' (a good URL past its time) or 'invalid' (changed or made up). */
  async check(shareId: string, fileId: string, exp: string | undefined, sig: string | undefined, now: number): Promise<'valid' | 'expired' | 'invalid'> {
    if (!exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid'
    const expected = Buffer.from(await this.mac(shareId, fileId, Number(exp)), 'base64url')
    const given = Buffer.from(sig, 'base64url')
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid'
    return Number(exp) * 1000 <= now ? 'expired' : 'valid'
  }

  private async mac(shareId: string, fileId: string, expiresAt: number): Promise<string> {
    return createHmac('sha256', await this.secret())
      .update(`${shareId}/${fileId}/${expiresAt}`)
      .digest('base64url')
  }
}

/** A fresh file id: 16 random bytes, base64url (22 characters). */
export function newFileId(): string {
  return randomBytes(16).toString('base64url')
}
