import { CareKeyError } from '../errors.ts'

/** Something is wrong with the terms of a consent grant. Callers may branch on the subclass. */
export class ConsentTermsError extends CareKeyError {}

/** The consent would end before now: there is nothing left to grant. */
export class GrantValidityEndedError extends ConsentTermsError {
  constructor() {
    super('This consent would already have ended.', 'Choose an end time in the future.')
  }
}

/** The consent would end so soon that it might expire before the network records it. */
export class GrantTooShortError extends ConsentTermsError {
  constructor(readonly minimumMinutes: number) {
    super(`A consent must last at least ${minimumMinutes} minutes from now.`, 'Choose a later end time.')
  }
}

/** The consent ends before (or when) it starts. */
export class GrantPeriodReversedError extends ConsentTermsError {
  constructor() {
    super('This consent ends before it starts.', 'Choose an end time after the start time.')
  }
}

/** The consent would last longer than CareKey allows. */
export class GrantTooLongError extends ConsentTermsError {
  constructor(readonly maximumDays: number) {
    super(
      `A consent can last at most ${maximumDays} days from now.`,
      'Choose a shorter period. You can grant again when it ends.',
    )
  }
}

/** The purpose is not one of the HL7 PurposeOfUse codes CareKey offers. */
export class UnknownPurposeError extends ConsentTermsError {
  constructor(readonly code: string) {
    super(
      `"${code.slice(0, 20)}" is not a purpose CareKey knows.`,
      'Choose one of the listed purposes, such as treatment (TREAT).',
    )
  }
}

/** Neither a category nor a record was chosen. */
export class EmptyScopeError extends ConsentTermsError {
  constructor() {
    super('Nothing is chosen to share.', 'Choose at least one category or record.')
  }
}

/** No action (view, use, ...) was chosen. */
export class ScopeWithoutActionError extends ConsentTermsError {
  constructor() {
    super('The consent does not say what the recipient may do.', 'Choose at least one action, such as "see".')
  }
}

/** A scope read from outside names something that is not a known category, action or record id. */
export class InvalidScopeError extends ConsentTermsError {
  constructor(problem: string) {
    super(`The consent's scope is not valid: ${problem}.`, 'Ask the person who sent it for a new one.')
  }
}

/** An account address is malformed or has a typo. */
export class InvalidAddressError extends ConsentTermsError {
  constructor(
    readonly field: 'patient' | 'grantee' | 'registry',
    reason: 'format' | 'checksum' | 'zero',
  ) {
    const who = field === 'grantee' ? "The recipient's address" : field === 'patient' ? "The patient's address" : 'The registry address'
    const message = {
      format: `${who} is not a valid account address.`,
      checksum: `${who} has a typo: its mix of capital and small letters does not match.`,
      zero: `${who} is the empty address (0x000…0), which nobody controls.`,
    }[reason]
    super(message, 'An address is 0x followed by 40 letters and digits. Paste or scan it again.')
  }
}

/** Grant terms read from outside (a QR code, a link, storage) are malformed. */
export class InvalidGrantTermsError extends ConsentTermsError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`The consent's terms are not valid: ${field} ${problem}.`, 'Ask the patient to show their consent again.')
  }
}

/** The scope given does not hash to the scope hash in the terms. */
export class ScopeMismatchError extends ConsentTermsError {
  constructor() {
    super("The consent's scope does not match its terms.", 'The consent may have been changed. Ask the patient to share it again.')
  }
}
