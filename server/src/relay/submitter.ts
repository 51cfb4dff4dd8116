import {
  keccak256,
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'

/** A transaction the sponsor pays for. */
export type SponsoredTransaction = { to: Address; data: Hex; gas: bigint }

/** The sponsor's balance does not cover the transaction's gas at the current fee. */
export class SponsorOutOfFundsError extends Error {
  constructor() {
    super('The sponsor account cannot pay for the transaction')
    this.name = 'SponsorOutOfFundsError'
  }
}

/** No receipt within the timeout, despite resending. The transaction may still be mined. */
export class TransactionNotConfirmedError extends Error {
  constructor(readonly hashes: readonly Hex[]) {
    super(`The transaction was not mined in time (${hashes.length} sent with the same nonce)`)
    this.name = 'TransactionNotConfirmedError'
  }
}

export type SubmitterOptions = {
  client: PublicClient
  /** The sponsor's key, as a local viem account: transactions are signed here, never by the node. */
  account: LocalAccount
  chainId: number
  /** Without a receipt after this long, the transaction is sent again: same nonce, higher fee. */
  resendAfterMs: number
  /** Without a receipt after this long, submit gives up with TransactionNotConfirmedError. */
  confirmTimeoutMs: number
  pollingIntervalMs: number
  /** Unix milliseconds. */
  clock?: () => number
}

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
type Sent = { nonce: number; hash: Hex; fees: Fees; cost: bigint }

/** A replacement must pay at least 10% more (geth, anvil); 25% clears every node's rule. */
const bump = (fee: bigint) => (fee * 125n) / 100n + 1n

/**
 * Sends the sponsor's transactions. One submitter per sponsor account: it assigns nonces in
 * order, one send at a time, and waits for receipts side by side. After a failed send it
 * asks the chain for the next nonce again (`eth_getTransactionCount`, pending). A transaction
 * not mined in time is sent again with the same nonce and a higher fee, so that at most one
 * of its copies is ever mined; if the nonce was taken by another transaction meanwhile, it is
 * sent anew with a fresh nonce.
 */
export class SponsorSubmitter {
  private nextNonce: number | undefined
  private sending: Promise<unknown> = Promise.resolve()
  /** The most the transactions in flight can cost, so that concurrent sends do not overdraw. */
  private committed = 0n
  private readonly clock: () => number

  constructor(private readonly options: SubmitterOptions) {
    this.clock = options.clock ?? Date.now
  }

  get address(): Address {
    return this.options.account.address
  }

  /**
   * Sends the transaction and resolves with its receipt (successful or reverted). Throws
   * SponsorOutOfFundsError before sending when the balance cannot cover it, and
   * TransactionNotConfirmedError after the timeout.
   */
  async submit(tx: SponsoredTransaction): Promise<TransactionReceipt> {
    const first = await this.serially(() => this.sendNew(tx))
    return this.confirm(tx, first)
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.sending.then(task, task)
    this.sending = run.catch(() => undefined)
    return run
  }

  private async sendNew(tx: SponsoredTransaction): Promise<Sent> {
    const { client, account } = this.options
    try {
      this.nextNonce ??= await client.getTransactionCount({ address: account.address, blockTag: 'pending' })
      const nonce = this.nextNonce
      const fees = await this.currentFees()
      const cost = tx.gas * fees.maxFeePerGas
      const balance = await client.getBalance({ address: account.address })
      if (balance < this.committed + cost) throw new SponsorOutOfFundsError()
      const hash = await this.sendSigned(tx, nonce, fees)
      this.nextNonce = nonce + 1
      this.committed += cost
      return { nonce, hash, fees, cost }
    } catch (error) {
      // The node may know better than our count (a dropped or foreign transaction): ask again.
      this.nextNonce = undefined
      if (error instanceof SponsorOutOfFundsError || /insufficient funds/i.test(messageOf(error))) throw new SponsorOutOfFundsError()
      throw error
    }
  }

  private async confirm(tx: SponsoredTransaction, first: Sent): Promise<TransactionReceipt> {
    const { resendAfterMs, confirmTimeoutMs, pollingIntervalMs } = this.options
    let sent = first
    const hashes: Hex[] = [first.hash]
    const start = this.clock()
    let lastSend = start
    let nonceTakenSeen = 0
    try {
      for (;;) {
        const receipt = await this.findReceipt(hashes)
        if (receipt) return receipt
        const now = this.clock()
        if (now - start >= confirmTimeoutMs) throw new TransactionNotConfirmedError(hashes)
        if (now - lastSend >= resendAfterMs) {
          lastSend = now
          const outcome = await this.resend(tx, sent)
          if (outcome.kind === 'sent') {
            sent = outcome.sent
            if (!hashes.includes(sent.hash)) hashes.push(sent.hash)
          } else if (outcome.kind === 'nonce-taken' && ++nonceTakenSeen >= 2) {
            // Seen twice with no receipt of ours: another transaction took the nonce, so ours
            // was never mined. Send it anew with a fresh nonce.
            nonceTakenSeen = 0
            const fresh = await this.serially(() => this.sendNew(tx))
            this.committed -= sent.cost
            sent = fresh
            hashes.push(fresh.hash)
          }
        }
        await new Promise((resolve) => setTimeout(resolve, pollingIntervalMs))
      }
    } finally {
      this.committed -= sent.cost
    }
  }

  /** The same nonce, a higher fee. */
  private async resend(tx: SponsoredTransaction, sent: Sent): Promise<{ kind: 'sent'; sent: Sent } | { kind: 'nonce-taken' } | { kind: 'failed' }> {
    const current = await this.currentFees().catch(() => sent.fees)
    const fees = {
      maxFeePerGas: max(bump(sent.fees.maxFeePerGas), current.maxFeePerGas),
      maxPriorityFeePerGas: max(bump(sent.fees.maxPriorityFeePerGas), current.maxPriorityFeePerGas),
    }
    try {
      const hash = await this.sendSigned(tx, sent.nonce, fees)
      const cost = tx.gas * fees.maxFeePerGas
      this.committed += cost - sent.cost
      return { kind: 'sent', sent: { nonce: sent.nonce, hash, fees, cost } }
    } catch (error) {
      const message = messageOf(error)
      if (/nonce too low|nonce has already been used|already been used/i.test(message)) return { kind: 'nonce-taken' }
      // Still in the pool (already known), underpriced or out of funds: keep waiting for what was sent.
      return { kind: 'failed' }
    }
  }

  private async sendSigned(tx: SponsoredTransaction, nonce: number, fees: Fees): Promise<Hex> {
    const serialized = await this.options.account.signTransaction({
      type: 'eip1559',
      chainId: this.options.chainId,
      to: tx.to,
      data: tx.data,
      gas: tx.gas,
      nonce,
      ...fees,
    })
    const hash = keccak256(serialized)
    try {
      await this.options.client.request({ method: 'eth_sendRawTransaction', params: [serialized] })
    } catch (error) {
      // The node already holds this very transaction: it is sent.
      if (/already known|already imported|known transaction/i.test(messageOf(error))) return hash
      throw error
    }
    return hash
  }

  private async currentFees(): Promise<Fees> {
    const { maxFeePerGas, maxPriorityFeePerGas } = await this.options.client.estimateFeesPerGas({ chain: null, type: 'eip1559' })
    return { maxFeePerGas, maxPriorityFeePerGas }
  }

  private async findReceipt(hashes: readonly Hex[]): Promise<TransactionReceipt | undefined> {
    const receipts = await Promise.all(
      hashes.map((hash) =>
        // Not mined yet (TransactionReceiptNotFoundError), or the chain did not answer this
        // time: either way, ask again at the next poll.
        this.options.client.getTransactionReceipt({ hash }).catch(() => undefined),
      ),
    )
    return receipts.find((r) => r !== undefined)
  }
}

const max = (a: bigint, b: bigint) => (a > b ? a : b)

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const details = 'details' in error && typeof error.details === 'string' ? error.details : ''
  return `${error.message} ${details}`
}
