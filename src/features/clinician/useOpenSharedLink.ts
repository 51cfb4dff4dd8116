import { useMutation } from '@tanstack/react-query'
import { useConnect, useConnection, useSignTypedData } from 'wagmi'
import { useBrowserWallets } from '../../chain/browserWallets.ts'
import { appConfig } from '../../platform/index.ts'
import { connectOrigins } from '../../platform/contentSecurityPolicy.ts'
import type { RecipientSigner } from '../../shareHost/client.ts'
import { measureSince, QR_DECODED_MARK, SHARE_VERIFIED_MEASURE } from './marks.ts'
import { openSharedLink, type OpenedRecords, type OpenSharedLinkRequest } from './viewerActions.ts'

/**
 * The viewer's open step (openSharedLink) with the clinician's browser wallet for the optional
 * address proof. The form's values, the passcode among them, are held by the closure: `mutate()`
 * takes no variables.
 */
export function useOpenSharedLink(
  request: OpenSharedLinkRequest,
  callbacks: { onOpened: (opened: OpenedRecords) => void; onFailed: (error: Error) => void },
) {
  const wallets = useBrowserWallets()
  const connection = useConnection()
  const connect = useConnect()
  const sign = useSignTypedData()

  const connectRecipient = async (): Promise<RecipientSigner | undefined> => {
    const wallet = wallets[0]
    const address = connection.address ?? (wallet ? (await connect.mutateAsync({ connector: wallet })).accounts[0] : undefined)
    return address ? { address, signTypedData: (typedData) => sign.mutateAsync(typedData) } : undefined
  }

  return useMutation({
    mutationFn: () => openSharedLink({ connectRecipient, reachableOrigins: [window.location.origin, ...connectOrigins(appConfig)] }, request),
    // The result is the decrypted share: gone from the query cache as soon as the form is.
    gcTime: 0,
    onSuccess: (opened) => {
      // From the QR decode (marked by the scanner screen) when the link was scanned here.
      measureSince(QR_DECODED_MARK, SHARE_VERIFIED_MEASURE)
      callbacks.onOpened(opened)
    },
    onError: (error) => callbacks.onFailed(error),
  })
}
