/**
 * The one error type the UI shows to people: a short message that says what went wrong and
 * an optional hint that says what to do. Anything that is not a CareKeyError is a bug and
 * goes to the error boundary.
 *
 * @example
 * throw new CareKeyError('That file is not a CareKey backup.', 'Choose the .carekey file you exported.')
 */
export class CareKeyError extends Error {
  readonly userMessage: string
  readonly hint: string | undefined

  constructor(userMessage: string, hint?: string, options?: ErrorOptions) {
    super(userMessage, options)
    this.name = new.target.name
    this.userMessage = userMessage
    this.hint = hint
  }
}

/** True for errors meant to be shown to people as they are. */
export function isCareKeyError(error: unknown): error is CareKeyError {
  return error instanceof CareKeyError
}
