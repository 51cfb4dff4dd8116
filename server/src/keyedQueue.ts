/**
 * Runs tasks one at a time per key, in arrival order; tasks for different keys run side by
 * side. The share host serialises everything that reads and writes one share's passcode
 * count through it, so parallel guesses cannot both read the same count.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return result
  }

  /** Keys with queued or running tasks (for tests). */
  get size(): number {
    return this.tails.size
  }
}
