import { CareKeyError } from '../errors.ts'

/**
 * A scanned or pasted SMART Health Link that breaks the specification's rules. `field` names
 * the payload property at fault (`url`, `key`, `flag`, ...; `link` for the text as a whole)
 * and `problem` says what is wrong with it, so that the screen and the logs can be specific.
 *
 * @example
 * try { decodeShlink(text) } catch (e) { if (e instanceof InvalidShareLinkError) e.field // 'key' }
 */
export class InvalidShareLinkError extends CareKeyError {
  readonly field: string
  readonly problem: string

  constructor(field: string, problem: string, options?: ErrorOptions) {
    super(
      `This is not a valid share link: ${field === 'link' ? 'the link' : `its ${field}`} ${problem}.`,
      'Scan the QR code again, or copy the whole link, from its first to its last character.',
      options,
    )
    this.field = field
    this.problem = problem
  }
}

/** The link says it follows a newer version of the SMART Health Links protocol than CareKey knows. */
export class UnsupportedShareLinkVersionError extends CareKeyError {
  readonly version: number

  constructor(version: number) {
    super(
      `This share link uses version ${version} of the SMART Health Links protocol, which this version of CareKey cannot open.`,
      'Update CareKey (reload the page), or open the link in the app it came with.',
    )
    this.version = version
  }
}

/** A shared file cannot be decrypted with the link's key: it was changed, or belongs to another link. */
export class ShareFileUnreadableError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `The shared data could not be decrypted (${detail}).`,
      'It may have been changed after it was shared. Ask the patient to share it again.',
      options,
    )
  }
}

/** A shared file is larger than the viewer accepts (a share is untrusted input). */
export class ShareFileTooLargeError extends CareKeyError {
  readonly limitBytes: number

  constructor(limitBytes: number, options?: ErrorOptions) {
    super(
      `The shared data is larger than ${Math.round(limitBytes / 1_048_576)} MB, more than CareKey opens.`,
      'Ask the patient to share fewer records at once.',
      options,
    )
    this.limitBytes = limitBytes
  }
}
