/** Real upstream servers for end-to-end tests (node:http on 127.0.0.1, port 0). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An upstream that answers `name` as its body and echoes the path in X-Path. */
export function namedUpstream(name: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-path': req.url ?? '', 'x-host': req.headers.host ?? '' });
    res.end(name);
  });
}
