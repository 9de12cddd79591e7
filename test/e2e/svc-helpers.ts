/**
 * Shared by the svc-* end-to-end tests: a compiled graph (the real compiler, load balancers and
 * forwarder) served by a real HttpEntryPoint, configured in code, and small service builders.
 */
import type { IncomingMessage } from 'node:http';
import { compileDeps } from '../../src/cli/compile-deps.js';
import type { DynamicConfig, HealthCheckConfig, ServiceConfig } from '../../src/config/dynamic/types.js';
import type { StaticConfig } from '../../src/config/static/types.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { compile, disposeDropped, type CompiledGraph } from '../../src/runtime/compile.js';
import type { ServiceHealth } from '../../src/services/service.js';
import { entryPointConfig } from './entrypoint-helpers.js';
import { startProxy, type Proxy } from './forward-helpers.js';
import { healthCheck, lbConfig } from './lb-helpers.js';

export interface Served {
  readonly port: number;
  readonly graph: CompiledGraph;
  readonly proxy: Proxy;
  /** The health of a built service, by qualified name. */
  health(name: string): ServiceHealth | undefined;
  close(): Promise<void>;
}

/** Serves `services` (qualified names) with one catch-all router on `top@file`. */
export async function serve(services: Record<string, ServiceConfig>, top = 'top@file'): Promise<Served> {
  const ep = entryPointConfig();
  const staticConfig: StaticConfig = {
    workers: 1,
    entryPoints: { web: ep },
    providers: { providersThrottleDuration: 0, file: undefined },
    log: { level: 'FATAL', format: 'json', filePath: undefined, noColor: true },
    serversTransport: { insecureSkipVerify: false, rootCAs: [], maxIdleConnsPerHost: 2, forwardingTimeouts: { dialTimeout: 0, responseHeaderTimeout: 0, idleConnTimeout: 0 } },
    origin: { kind: 'defaults' },
  };
  const config: DynamicConfig = {
    http: {
      routers: { 'r@file': { rule: 'PathPrefix(`/`)', entryPoints: undefined, middlewares: [], service: top, priority: 0, tls: undefined } },
      services,
      middlewares: {},
      serversTransports: {},
    },
  };
  const pools = new UpstreamPools();
  const graph = compile({ staticConfig, config }, compileDeps(pools));
  if (graph.diagnostics.length > 0) throw new Error(`configuration errors: ${JSON.stringify(graph.diagnostics)}`);
  const proxy = await startProxy(graph.entryPoints.get(ep.name) ?? null);
  return {
    port: proxy.port,
    graph,
    proxy,
    health: (name) => graph.built.services.get(name)?.service.health,
    async close() {
      disposeDropped(graph, undefined);
      await proxy.close();
      pools.close();
    },
  };
}

export function lbService(urls: string[], hc?: Partial<HealthCheckConfig>): ServiceConfig {
  return { kind: 'loadBalancer', loadBalancer: lbConfig(urls, hc === undefined ? {} : { healthCheck: healthCheck(hc) }) };
}

/** Resolves when `health.up` is `up` (at once if it already is); rejects after `ms`. */
export function healthTurns(health: ServiceHealth | undefined, up: boolean, ms = 3000): Promise<void> {
  if (health === undefined) return Promise.reject(new Error('no health'));
  if (health.up === up) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`service did not turn ${up ? 'up' : 'down'} within ${ms}ms`));
    }, ms);
    const stop = health.watch((now) => {
      if (now !== up) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

/** The request body, whole. */
export function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
