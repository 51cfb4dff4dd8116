import { getAddress, isAddress, TransactionNotFoundError, type Address, type Hex, type PublicClient } from 'viem'
import { toConsentChainError, UnexpectedChainReplyError } from './consentRegistryErrors.ts'

/**
 * The address that sent a mined transaction (one `eth_getTransactionByHash`), checked: the
 * reply must be the transaction asked for and name a valid sender. For a grant, a sender other
 * than the grant's patient means the grant was signed by its own key and sent by someone else
 * (the sponsor, or an account paying for it): the patient's address is a one-time address.
 * Throws the chain's CareKeyErrors (network down, an answer that cannot be trusted).
 *
 * @example
 * const sender = await readTransactionSender(client, record.granted.transactionHash)
 * const oneTime = !isAddressEqual(sender, terms.patient)
 */
export async function readTransactionSender(client: PublicClient, hash: Hex): Promise<Address> {
  let reply: unknown
  try {
    reply = await client.getTransaction({ hash })
  } catch (error) {
    // Asked for a transaction the chain's own logs named: not finding it is not to be trusted.
    if (error instanceof TransactionNotFoundError) throw new UnexpectedChainReplyError('no such transaction', { cause: error })
    throw toConsentChainError(error)
  }
  return parseSender(reply, hash)
}

function parseSender(reply: unknown, hash: Hex): Address {
  if (typeof reply !== 'object' || reply === null || !('hash' in reply) || !('from' in reply)) {
    throw new UnexpectedChainReplyError('a transaction without its hash or sender')
  }
  const { hash: replyHash, from } = reply
  if (typeof replyHash !== 'string' || replyHash.toLowerCase() !== hash.toLowerCase()) {
    throw new UnexpectedChainReplyError('another transaction than the one asked for')
  }
  if (typeof from !== 'string' || !isAddress(from, { strict: false })) throw new UnexpectedChainReplyError('a transaction sender that is not an address')
  return getAddress(from)
}
