import type { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { CareKeyError } from '../errors.ts'
import { MIN_PASSPHRASE_LENGTH, WeakPassphraseError } from './vault.ts'

/**
 * zxcvbn's score from 0 (guessed in under a thousand tries) to 4 (more than ten billion). A new
 * passphrase needs at least 3: "safely unguessable" against an online attack and costly offline
 * against Argon2id at 64 MiB.
 */
export const MIN_PASSPHRASE_SCORE = 3

/** Words about this app that make a passphrase easier to guess for someone who knows it is CareKey's. */
const APP_WORDS = ['carekey', 'wallet', 'passphrase']

export class GuessablePassphraseError extends CareKeyError {
  constructor(warning: string | null, suggestions: readonly string[]) {
    super(
      `This passphrase is too easy to guess.${warning ? ` ${warning}` : ''}`,
      suggestions.length > 0 ? suggestions.join(' ') : 'A few unrelated words are easy to remember and hard to guess.',
    )
  }
}

export class PassphraseCheckUnavailableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('CareKey could not load its passphrase check, so the passphrase was not saved.', 'Check your connection and try again.', options)
  }
}

let estimator: Promise<ZxcvbnFactory> | undefined

/**
 * Starts loading zxcvbn with its common and English dictionaries (about 1 MB, 400 kB gzip) before
 * it is needed: they are loaded on first use, so only the screens that choose a passphrase
 * download them. A failure here is not lost: {@link passphraseProblem} tries again and reports it.
 *
 * @example
 * <input type="password" onFocus={preloadPassphraseCheck} />
 */
export function preloadPassphraseCheck(): void {
  loadPassphraseEstimator().catch(() => undefined)
}

function loadPassphraseEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
    (cause: unknown) => {
      // A failed download (offline on a first visit) is tried again next time rather than kept.
      estimator = undefined
      throw new PassphraseCheckUnavailableError({ cause })
    },
  )
  return estimator
}

/**
 * Why a new passphrase is refused, or undefined when it is good enough: shorter than
 * {@link MIN_PASSPHRASE_LENGTH} characters, or scored below {@link MIN_PASSPHRASE_SCORE}, with
 * zxcvbn's warning and suggestions in plain words.
 *
 * @example
 * await passphraseProblem('sunshine') // GuessablePassphraseError: This passphrase is too easy to guess. This is a frequently used password.
 * await passphraseProblem('violet tractor lagoon 47') // undefined
 */
export async function passphraseProblem(passphrase: string): Promise<CareKeyError | undefined> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) return new WeakPassphraseError()
  const result = (await loadPassphraseEstimator()).check(passphrase, APP_WORDS)
  if (result.score >= MIN_PASSPHRASE_SCORE) return undefined
  return new GuessablePassphraseError(result.feedback.warning, result.feedback.suggestions)
}

/**
 * Throws the reason a new passphrase is refused (see {@link passphraseProblem}).
 *
 * @example
 * await assertStrongPassphrase(passphrase) // before sealing a new vault
 */
export async function assertStrongPassphrase(passphrase: string): Promise<void> {
  const problem = await passphraseProblem(passphrase)
  if (problem) throw problem
}
