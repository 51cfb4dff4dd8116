import { CareKeyError } from '../errors.ts'

/**
 * Something needs the unlocked wallet's keys and the wallet is locked (or was locked meanwhile).
 * One error for every feature and layer that needs the keys, so callers branch on one class.
 *
 * @example
 * const keys = keyring.get()
 * if (!keys) throw new WalletLockedError()
 */
export class WalletLockedError extends CareKeyError {
  constructor() {
    super('Your wallet is locked.', 'Unlock it with your passphrase and try again.')
  }
}
