import { describe, expect, it } from 'vitest'
import {
  createRecoveryPhrase,
  parseRecoveryPhrase,
  PhraseChecksumError,
  PhraseLengthError,
  pickConfirmationPositions,
  UnknownPhraseWordError,
} from './mnemonic.ts'

describe('recovery phrase', () => {
  it('accepts a valid phrase and normalises case, spacing and numbering', () => {
    expect(parseRecoveryPhrase('  Test test\ttest test test test\ntest test test test test JUNK ')).toBe(
      'test test test test test test test test test test test junk',
    )
    expect(parseRecoveryPhrase('1. test 2. test 3. test 4. test 5. test 6. test 7. test 8. test 9. test 10. test 11. test 12. junk')).toBe(
      'test test test test test test test test test test test junk',
    )
  })

  it('names the wrong length', () => {
    const error = catchError(() => parseRecoveryPhrase('test test test'))
    expect(error).toBeInstanceOf(PhraseLengthError)
    expect((error as PhraseLengthError).userMessage).toContain('this one has 3')
  })

  it('names the unknown word, its position and a likely correction', () => {
    const error = catchError(() => parseRecoveryPhrase('test test test test abandn test test test test test test junk'))
    expect(error).toBeInstanceOf(UnknownPhraseWordError)
    const e = error as UnknownPhraseWordError
    expect(e.position).toBe(5)
    expect(e.word).toBe('abandn')
    expect(e.userMessage).toContain('Word 5')
    expect(e.hint).toContain('abandon')
  })

  it('says when every word is valid but the checksum is not', () => {
    expect(() => parseRecoveryPhrase('test test test test test test test test test test test test')).toThrow(PhraseChecksumError)
  })

  it('creates distinct valid 12-word phrases', () => {
    const a = createRecoveryPhrase()
    const b = createRecoveryPhrase()
    expect(a.split(' ')).toHaveLength(12)
    expect(parseRecoveryPhrase(a)).toBe(a)
    expect(a).not.toBe(b)
  })

  it('picks distinct, sorted confirmation positions within the phrase', () => {
    for (let i = 0; i < 50; i++) {
      const positions = pickConfirmationPositions(12, 3)
      expect(new Set(positions).size).toBe(3)
      expect(positions).toEqual([...positions].sort((x, y) => x - y))
      for (const p of positions) {
        expect(p).toBeGreaterThanOrEqual(1)
        expect(p).toBeLessThanOrEqual(12)
      }
    }
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}
