/**
 * The Node peers as targets: small scripts in peers/ (compiled next to this file), each a
 * node:http or fastify server on 127.0.0.1 forwarding Host h500.test to the upstream with
 * keep-alive, started with `--port` and `--upstream-port`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './processes.js';
import { waitTargetReady } from './readiness.js';
import type { Running, StartContext } from './targets.js';

export type NodePeerName = 'undici' | 'fastify' | 'http-proxy';

const script = (file: string): string => fileURLToPath(new URL(`./peers/${file}`, import.meta.url));

/** The peers, in table order: the fastest first. */
export const NODE_PEER_SCRIPTS: readonly { readonly name: NodePeerName; readonly script: string }[] = [
  { name: 'undici', script: script('undici-pool.js') },
  { name: 'fastify', script: script('fastify-reply-from.js') },
  { name: 'http-proxy', script: script('http-proxy.js') },
];

export async function startNodePeer(ctx: StartContext, name: NodePeerName, file: string, tls: boolean): Promise<Running> {
  if (tls) throw new Error(`${name}: the Node peers speak HTTP/1.1 only`);
  const dir = join(ctx.dir, name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = ctx.procs.start(name, ctx.cpu, ctx.tools.node, [file, `--port=${port}`, `--upstream-port=${ctx.upstreamPort}`], join(dir, 'peer.log'));
  await waitTargetReady(proc, port, 'h1');
  return { name, protocol: 'h1', port, proc };
}
