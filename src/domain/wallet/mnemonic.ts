import { generateMnemonic, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english'
import { CareKeyError } from '../errors.ts'

/** A BIP-39 recovery phrase that passed validation: lower case, single spaces, English list. */
export type RecoveryPhrase = string & { readonly __brand: 'RecoveryPhrase' }

export const PHRASE_WORD_COUNTS = [12, 15, 18, 21, 24] as const

export class PhraseLengthError extends CareKeyError {
  constructor(readonly wordCount: number) {
    super(
      `A recovery phrase has 12, 15, 18, 21 or 24 words; this one has ${wordCount}.`,
      'Check that no word is missing or repeated.',
    )
  }
}

export class UnknownPhraseWordError extends CareKeyError {
  constructor(
    readonly position: number,
    readonly word: string,
    readonly suggestion: string | undefined,
  ) {
    super(
      `Word ${position}, “${word}”, is not a recovery phrase word.`,
      suggestion ? `Did you mean “${suggestion}”?` : 'Check its spelling against your written copy.',
    )
  }
}

export class PhraseChecksumError extends CareKeyError {
  constructor() {
    super(
      'Every word is valid, but the phrase as a whole is not: its checksum does not match.',
      'A word is probably wrong or out of order. Compare each word with your written copy.',
    )
  }
}

/** Splits what a person typed or pasted into normalised words. */
export function phraseWords(input: string): string[] {
  return input
    .normalize('NFKD')
    .toLowerCase()
    .split(/[\s,]+/)
    .map((w) => w.replace(/^\d+[.)]/, '')) // "1. word" or "1) word", as people copy numbered lists
    .filter((w) => w.length > 0)
}

/**
 * Validates a typed or pasted recovery phrase and returns it normalised. Throws a
 * PhraseLengthError, UnknownPhraseWordError or PhraseChecksumError that says what is wrong.
 *
 * @example
 * parseRecoveryPhrase('  Test test test test test test test test test test test JUNK ')
 */
export function parseRecoveryPhrase(input: string): RecoveryPhrase {
  const words = phraseWords(input)
  if (!(PHRASE_WORD_COUNTS as readonly number[]).includes(words.length)) throw new PhraseLengthError(words.length)
  words.forEach((word, i) => {
    if (!wordSet.has(word)) throw new UnknownPhraseWordError(i + 1, word, closestWord(word))
  })
  const phrase = words.join(' ')
  if (!validateMnemonic(phrase, wordlist)) throw new PhraseChecksumError()
  return phrase as RecoveryPhrase
}

/** A fresh 12-word phrase (128 bits of entropy) from the platform's CSPRNG. */
export function createRecoveryPhrase(): RecoveryPhrase {
  return generateMnemonic(wordlist, 128) as RecoveryPhrase
}

/** True when `word` is in the BIP-39 English list. */
export function isPhraseWord(word: string): boolean {
  return wordSet.has(word.trim().toLowerCase())
}

/**
 * Picks `count` distinct word positions (1-based, ascending) for the patient to confirm.
 * `random` is injectable for tests.
 */
export function pickConfirmationPositions(wordCount: number, count: number, random: () => number = secureRandom): number[] {
  const positions = Array.from({ length: wordCount }, (_, i) => i + 1)
  for (let i = positions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const a = positions[i] as number
    positions[i] = positions[j] as number
    positions[j] = a
  }
  return positions.slice(0, count).sort((a, b) => a - b)
}

const wordSet = new Set(wordlist)

function secureRandom(): number {
  return (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) / 2 ** 32
}

// BIP-39 English words are unique in their first four letters; suggest by prefix, then by
// edit distance 1, so "abandn" → "abandon" and "acount" → "account".
function closestWord(word: string): string | undefined {
  if (word.length >= 4) {
    const byPrefix = wordlist.find((w) => w.startsWith(word.slice(0, 4)))
    if (byPrefix) return byPrefix
  }
  return wordlist.find((w) => editDistanceAtMostOne(w, word))
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false
  let i = 0
  let j = 0
  let edits = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++
      j++
      continue
    }
    if (++edits > 1) return false
    if (a.length > b.length) i++
    else if (a.length < b.length) j++
    else {
      i++
      j++
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1
}
