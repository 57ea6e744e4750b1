/** Loopback ports for tests: a server of our own on an ephemeral port, or a free port for a child process. */
import { createServer, type AddressInfo, type Server } from 'node:net';

/** Listens on 127.0.0.1 on a port the kernel picks (http and https servers too); resolves that port. */
export function listenLocal(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * A port that was free a moment ago, for a child process that must be told its port
 * (another process may take it in between; prefer port 0 where the code allows it).
 */
export async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listenLocal(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
