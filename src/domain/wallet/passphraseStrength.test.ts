import { describe, expect, it } from 'vitest'
import { assertStrongPassphrase, GuessablePassphraseError, MIN_PASSPHRASE_SCORE, passphraseProblem } from './passphraseStrength.ts'
import { WeakPassphraseError } from './vault.ts'

describe('passphrase strength', () => {
  it('needs a zxcvbn score of at least 3', () => {
    expect(MIN_PASSPHRASE_SCORE).toBe(3)
  })

  it('refuses the weakest with zxcvbn’s reason and suggestions in plain words', async () => {
    const common = await passphraseProblem('sunshine')
    expect(common).toBeInstanceOf(GuessablePassphraseError)
    expect(common?.userMessage).toBe('This passphrase is too easy to guess. This is a frequently used password.')
    expect(common?.hint).toContain('Add more words that are less common.')

    const keyboard = await passphraseProblem('qwertyuiop')
    expect(keyboard).toBeInstanceOf(GuessablePassphraseError)

    const repeated = await passphraseProblem('aaaaaaaaaaaa')
    expect(repeated?.userMessage).toContain('Repeated characters like "aaa" are easy to guess.')

    await expect(assertStrongPassphrase('Password2024!')).rejects.toBeInstanceOf(GuessablePassphraseError)
  })

  it('counts words about CareKey itself as easy to guess', async () => {
    await expect(passphraseProblem('carekey2024!')).resolves.toBeInstanceOf(GuessablePassphraseError)
  })

  it('keeps the minimum length rule, whatever the score', async () => {
    expect(await passphraseProblem('Zq#8vL!')).toBeInstanceOf(WeakPassphraseError)
  })

  it('accepts a few unrelated words, including the passphrase the tests and benchmarks use', async () => {
    expect(await passphraseProblem('violet tractor lagoon 47')).toBeUndefined()
    expect(await passphraseProblem('correct horse battery staple')).toBeUndefined()
    await expect(assertStrongPassphrase('a new passphrase')).resolves.toBeUndefined()
  })
})
