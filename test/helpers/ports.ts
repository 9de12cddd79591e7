/** Ports for tests. */
import { createServer, type AddressInfo } from 'node:net';

/**
 * A port on 127.0.0.1 that nothing listens on (bound, then released): connecting to it is refused.
 * Another process could take it in between; on a test machine that is rare enough.
 */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
