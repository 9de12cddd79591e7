/**
 * A small Docker Engine stand-in on node:http: real sockets and HTTP, answering what a test needs.
 * For what a real engine cannot be made to do on demand (never answer, fail an inspection N times);
 * everything else runs against the real dockerd (test/helpers/dockerd.ts).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EngineStandIn {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function engine(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<EngineStandIn> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
