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
  /** What is wrong with the file, for a caller that words it differently (the grant at the host, shareGrant.ts). */
  readonly detail: string

  constructor(detail: string, options?: ErrorOptions) {
    super(
      `The shared data could not be decrypted (${detail}).`,
      'It may have been changed after it was shared. Ask the patient to share it again.',
      options,
    )
    this.detail = detail
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

/**
 * The grant behind a CareKey link is not at its share host: the host does not know the share
 * (never uploaded, or another host), or holds it without its grant.
 */
export class ShareGrantMissingError extends CareKeyError {
  constructor() {
    super(
      'The consent behind this link is not at its share host, so it cannot be checked.',
      'Ask the patient to show the consent QR code again once their app says it is ready to show.',
    )
  }
}

/**
 * The grant at the share host cannot be read with the link's key: it was changed there, it
 * belongs to another link, or it is not in CareKey's form. `problem` says which.
 *
 * @example
 * try { await decryptShareGrant(jwe, key) } catch (e) { if (e instanceof ShareGrantUnreadableError) e.problem // 'the key does not open it, or it was changed' }
 */
export class ShareGrantUnreadableError extends CareKeyError {
  readonly problem: string

  constructor(problem: string, options?: ErrorOptions) {
    super(
      `The consent behind this link could not be read: ${problem}.`,
      'It may have been changed at the share host, or the link is damaged. Ask the patient to show their consent QR code again.',
      options,
    )
    this.problem = problem
  }
}

/** The share host sent far more than a grant for a link's consent: it is not read. */
export class ShareGrantTooLargeError extends CareKeyError {
  readonly limit: number

  constructor(limit: number, options?: ErrorOptions) {
    super(
      `The share host sent a consent of more than ${limit} characters, far more than CareKey makes, so it was not read.`,
      'Ask the patient to show their consent QR code again. If this happens again, their share host is not working as it should.',
      options,
    )
    this.limit = limit
  }
}
