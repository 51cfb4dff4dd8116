import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

export type ManagedProcess = {
  readonly name: string
  readonly child: ChildProcess
  /** Stops the process and everything it spawned (its whole process group). */
  stop(): Promise<void>
}

/**
 * Spawns a command in its own process group so that stopping it also stops any grandchild
 * (the npm anvil wrapper, for example, spawns the real binary).
 */
export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, { ...options, detached: true })
  let exited = child.exitCode !== null
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
  })
  stopOnExit.add(child)
  return {
    name,
    child,
    async stop() {
      stopOnExit.delete(child)
      if (exited || child.pid === undefined) return
      killGroup(child.pid, 'SIGTERM')
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3000).unref())
      if ((await Promise.race([exitPromise, timeout])) === 'timeout') killGroup(child.pid, 'SIGKILL')
      await exitPromise
    },
  }
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal)
  } catch {
    // The group is already gone: nothing left to stop.
  }
}

// Last line of defence: if this Node process exits without stopping its children, stop them.
const stopOnExit = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of stopOnExit) if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL')
})
