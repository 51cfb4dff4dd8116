import type { Hex } from 'viem'
import { appConfig } from '../../platform/config.ts'

/** A transaction hash, linked to the block explorer when the chain has one. */
export function TransactionLink({ hash }: { hash: Hex }) {
  const explorer = appConfig.chain.explorerUrl
  const text = <span className="font-mono text-sm break-all" data-testid="transaction-hash">{hash}</span>
  if (!explorer) return text
  return (
    <a href={`${explorer}/tx/${hash}`} target="_blank" rel="noreferrer" className="text-teal-800 underline dark:text-teal-300">
      {text}
      <span className="sr-only"> (opens the block explorer)</span>
    </a>
  )
}
