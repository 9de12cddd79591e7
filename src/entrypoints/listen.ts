/** Listening, shared by both front ends: resolves with the bound address, rejects on EADDRINUSE etc. */
import type { Server } from 'node:net';
import type { ListenAddress } from './front-end.js';

export function listenOn(server: Server, host: string, port: number): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const opts = host === '' ? { port } : { host, port };
    server.listen(opts, () => {
      server.removeListener('error', onError);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') {
        reject(new Error('listener has no TCP address'));
        return;
      }
      resolve({ port: addr.port, address: addr.address });
    });
  });
}
