import { createServer } from 'node:net'

/** Asks the OS for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('Could not find a free port'))
      })
    })
  })
}

/** True when something already listens on the port (IPv4 loopback or any interface). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(true))
    server.listen(port, host, () => server.close(() => resolve(false)))
  })
}

export class PortInUseError extends Error {
  constructor(
    readonly service: string,
    readonly port: number,
    readonly envVar: string,
  ) {
    super(
      `Port ${port} for the ${service} is already in use. Stop whatever is using it ` +
        `(for example: lsof -i :${port}) or choose another port with ${envVar}=<port>.`,
    )
    this.name = 'PortInUseError'
  }
}

/** Throws a PortInUseError naming the service when the port is taken. */
export async function assertPortFree(service: string, port: number, envVar: string): Promise<void> {
  if (await portInUse(port)) throw new PortInUseError(service, port, envVar)
}
