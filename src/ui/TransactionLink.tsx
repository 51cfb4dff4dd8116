/**
 * A transaction hash, linked to the block explorer when the chain has one.
 *
 * @example
 * <TransactionLink hash={receipt.transactionHash} explorerUrl={appConfig.chain.explorerUrl} />
 */
export function TransactionLink({ hash, explorerUrl }: { hash: `0x${string}`; explorerUrl: string | undefined }) {
  const text = <span className="font-mono text-sm break-all" data-testid="transaction-hash">{hash}</span>
  if (!explorerUrl) return text
  return (
    <a href={`${explorerUrl}/tx/${hash}`} target="_blank" rel="noreferrer" className="text-teal-800 underline dark:text-teal-300">
      {text}
      <span className="sr-only"> (opens the block explorer)</span>
    </a>
  )
}
