import type { ReactElement } from 'react'
import { Link as RouterLink, type LinkComponent, type LinkComponentProps } from '@tanstack/react-router'

/**
 * Routing for features: TanStack Router's links and navigation, typed by the route table the
 * app registers (`src/app/router.tsx`). Features import them from here, never from the app.
 * The URL fragment is reserved for SMART Health Links (`/view#shlink:/…`): it never becomes a
 * path or a search param, so it never reaches a server, and the viewer's route moves it into
 * memory at once, so it does not stay in the address or the history either.
 */
export { Navigate, useNavigate } from '@tanstack/react-router'

/**
 * An in-app link: a real anchor (keyboard, middle-click and screen readers work). It is marked
 * `aria-current="page"` only when it leads to exactly this page; pass `activeOptions` to widen
 * that (the main navigation marks its section on every page below it).
 *
 * @example
 * <Link to="/records/$recordId" params={{ recordId: summary.id }}>Open</Link>
 */
export const Link: LinkComponent<'a'> = (props) => <ExactLink {...(props as LinkComponentProps<'a'>)} />

function ExactLink(props: LinkComponentProps<'a'>): ReactElement {
  return <RouterLink activeOptions={{ exact: true }} {...props} />
}
