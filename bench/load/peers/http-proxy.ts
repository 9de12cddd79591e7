/**
 * node-http-proxy: a node:http server, `proxy.web()` with a keep-alive http.Agent (128 sockets)
 * and `xfwd` (X-Forwarded-For/Port/Proto, as Traefik adds them). Routes only Host h500.test (404
 * otherwise). No logging.
 *
 *   node dist/bench/load/peers/http-proxy.js --port 8080 --upstream-port 8081
 */
import { Agent, createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import httpProxy from 'http-proxy';
import { isBenchHost } from '../constants.js';
import { peerArgs } from './peer-args.js';

const { port, upstreamPort } = peerArgs();
const agent = new Agent({ keepAlive: true, maxSockets: 128, maxFreeSockets: 128, keepAliveMsecs: 120_000 });
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${upstreamPort}`, agent, xfwd: true });

proxy.on('error', (_err, _req, res: ServerResponse | Socket) => {
  if (!('writeHead' in res)) res.destroy();
  else if (!res.headersSent) res.writeHead(502, { 'content-length': '0' }).end();
  else res.destroy();
});

const server = createServer((req, res) => {
  if (!isBenchHost(req.headers.host)) {
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  proxy.web(req, res);
});
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1');
