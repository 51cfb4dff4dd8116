import { Component, type ErrorInfo, type ReactNode } from 'react'

type State = { failed: boolean }

/**
 * Catches what no screen expected (a bug). Shows a calm message and a way out; never a stack
 * trace. Stored data is untouched: a reload starts from it again.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false }

  static getDerivedStateFromError(): State {
    return { failed: true }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    // Developers see the error class and component stack in the console; never data.
    console.error('CareKey hit an unexpected error:', error instanceof Error ? error.name : typeof error, info.componentStack)
  }

  override render() {
    if (!this.state.failed) return this.props.children
    return (
      <main className="mx-auto max-w-xl space-y-4 px-4 py-10" role="alert">
        <h1 className="text-2xl font-bold">Something went wrong</h1>
        <p>CareKey hit a problem it did not expect. Your wallet and records on this device are unchanged.</p>
        <button
          type="button"
          className="min-h-11 rounded-lg bg-teal-700 px-4 font-semibold text-white focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
          onClick={() => window.location.assign('/')}
        >
          Reload CareKey
        </button>
      </main>
    )
  }
}
