import { useLayoutEffect, useState } from 'react'
import { useLocation, useRouter } from '@tanstack/react-router'

/** The search parameter that holds a stepped form's step. */
export const STEP_PARAM = 'step'

export type StepsInAddress<Step extends string> = {
  /** The step shown: the one in the address, or the first. */
  step: Step
  /**
   * Moves to a step: one forward is a new history entry; back goes back through the history
   * (so the browser's Forward returns), as far as this form's own entries reach.
   */
  goTo: (next: Step) => void
}

/**
 * A stepped form's step in the address (`?step=who`), one history entry per step forward, so
 * that the browser's and the phone's Back button go back a step instead of leaving the form,
 * and Forward returns. The answers stay in the form's memory, never in the address or the
 * history; a form opened at a later step (a reload, a link) therefore starts again at the
 * first, in place of that entry.
 *
 * @example
 * const { step, goTo } = useStepsInAddress(['what', 'who', 'review'] as const)
 */
export function useStepsInAddress<Step extends string>(steps: readonly [Step, ...Step[]]): StepsInAddress<Step> {
  const router = useRouter()
  const location = useLocation()
  const first = steps[0]
  const asked = new URLSearchParams(location.searchStr).get(STEP_PARAM)
  const inAddress = steps.find((s) => s === asked)
  // The history entry the form opened at, and whether it opened at its first step.
  const [opened] = useState(() => ({ index: location.state.__TSR_index, atFirst: inAddress === undefined || inAddress === first }))
  const step = opened.atFirst || location.state.__TSR_index !== opened.index ? (inAddress ?? first) : first

  const hrefFor = (next: Step) => {
    const params = new URLSearchParams(router.state.location.searchStr)
    if (next === first) params.delete(STEP_PARAM)
    else params.set(STEP_PARAM, next)
    const search = params.toString()
    return `${router.state.location.pathname}${search ? `?${search}` : ''}`
  }

  useLayoutEffect(() => {
    if (!opened.atFirst) router.history.replace(hrefFor(first))
    // Only when the form opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const goTo = (next: Step) => {
    const from = steps.indexOf(step)
    const to = steps.indexOf(next)
    const ownEntriesBack = router.state.location.state.__TSR_index - opened.index
    if (to > from) router.history.push(hrefFor(next))
    else if (to < from && ownEntriesBack >= from - to) router.history.go(to - from)
    else if (to !== from) router.history.replace(hrefFor(next))
  }

  return { step, goTo }
}
