/**
 * The "fastest Node peer": a minimal hand-written proxy, node:http server in front, undici Pool
 * (`pool.stream`, keep-alive, 128 connections) to the upstream. Routes only Host h500.test (404
 * otherwise), drops hop-by-hop headers both ways, appends X-Forwarded-For. No logging.
 *
 *   node dist/bench/load/peers/undici-pool.js --port 8080 --upstream-port 8081
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { isBenchHost } from '../constants.js';
import { peerArgs } from './peer-args.js';

const { port, upstreamPort } = peerArgs();
const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 128, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 600_000 });

/** Hop-by-hop headers (RFC 9110 7.6.1) plus those undici refuses to be given. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function requestHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!HOP.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? '');
  }
  out.push('x-forwarded-for', req.socket.remoteAddress ?? '');
  return out;
}

const factory: Dispatcher.StreamFactory<ServerResponse> = ({ statusCode, headers, opaque }) => {
  for (const h of HOP) delete headers[h];
  opaque.writeHead(statusCode, headers);
  return opaque;
};

function fail(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(502, { 'content-length': '0' }).end();
  else res.destroy();
}

const server = createServer((req, res) => {
  if (!isBenchHost(req.headers.host)) {
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  const method: Dispatcher.HttpMethod = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? null : req;
  pool.stream({ path: req.url ?? '/', method, headers: requestHeaders(req), body, opaque: res }, factory, (err) => {
    if (err) fail(res);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1');
