/**
 * fastify + @fastify/reply-from (its default undici pool: keep-alive, 128 connections), one
 * route constrained to Host h500.test (fastify answers 404 otherwise), logger off. Headers are
 * forwarded as reply-from does by default (it adds no X-Forwarded-*).
 *
 *   node dist/bench/load/peers/fastify-reply-from.js --port 8080 --upstream-port 8081
 */
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';
import { BENCH_HOST } from '../constants.js';
import { peerArgs } from './peer-args.js';

const { port, upstreamPort } = peerArgs();
const app = Fastify({ logger: false, keepAliveTimeout: 120_000 });
await app.register(replyFrom, {
  base: `http://127.0.0.1:${upstreamPort}`,
  undici: { connections: 128, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 600_000 },
});
app.route({
  method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  url: '/*',
  constraints: { host: BENCH_HOST },
  handler: (req, reply) => reply.from(req.url),
});
await app.listen({ host: '127.0.0.1', port });
