/**
 * Keeps the Docker endpoint out of the routes the Docker provider makes: a label such as
 * `traefik.http.services.x.loadbalancer.server.url=http://socket-proxy:2375` would otherwise let
 * anyone who can label a container reach the engine's API through Turnpike. A service with a
 * server at the endpoint's host and port (by the endpoint's name, its resolved addresses, and
 * `localhost` when it is a loopback address) is left out with an error naming it; its routers then
 * fail for the missing service. A unix-socket endpoint cannot be a server, so it needs no guard.
 * Names are compared as written: a server naming the endpoint by another DNS name is not caught.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Diagnostic } from '../../config/diagnostics.js';
import type { ServiceConfig } from '../../config/dynamic/types.js';
import type { ProviderMessage } from '../provider.js';

/** A server of a Docker label points at the Docker endpoint: the service is left out. */
export const DOCKER_ENDPOINT_SERVER = 'TPK_DOCKER_ENDPOINT_SERVER';

export interface EndpointGuard {
  /** Lower-case host names and addresses that reach the endpoint. */
  readonly hosts: ReadonlySet<string>;
  readonly port: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443, 'h2c:': 80 };

function bare(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** The guard for an endpoint, resolving its name once; undefined for unix sockets. */
export async function endpointGuard(endpoint: string): Promise<EndpointGuard | undefined> {
  const url = new URL(endpoint);
  if (url.protocol === 'unix:') return undefined;
  const host = bare(url.hostname);
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (url.protocol === 'tcp:' ? 2375 : secure ? 443 : 80) : Number(url.port);
  const hosts = new Set([host]);
  if (isIP(host) === 0) {
    try {
      for (const a of await lookup(host, { all: true })) hosts.add(bare(a.address));
    } catch {
      // unresolvable now: the name itself is still guarded
    }
  }
  if ([...hosts].some(isLoopback)) for (const h of ['localhost', '127.0.0.1', '::1']) hosts.add(h);
  return { hosts, port };
}

function hitsEndpoint(url: string, guard: EndpointGuard): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const port = parsed.port === '' ? DEFAULT_PORTS[parsed.protocol] : Number(parsed.port);
  return port === guard.port && guard.hosts.has(bare(parsed.hostname));
}

/** The message without the services that would route to the endpoint, plus an error for each. */
export function withoutEndpointServers(message: ProviderMessage, guard: EndpointGuard | undefined): ProviderMessage {
  if (guard === undefined) return message;
  const services = message.config.http.services;
  let kept: Record<string, ServiceConfig> | undefined;
  const diagnostics: Diagnostic[] = [];
  for (const [name, service] of Object.entries(services)) {
    if (service.kind !== 'loadBalancer') continue;
    const bad = service.loadBalancer.servers.find((s) => hitsEndpoint(s.url, guard));
    if (bad === undefined) continue;
    kept ??= { ...services };
    delete kept[name];
    const origin = message.origins.get(`http.services.${name}`);
    diagnostics.push({
      code: DOCKER_ENDPOINT_SERVER,
      severity: 'error',
      message: `server "${bad.url}" is the Docker endpoint: Turnpike never routes to it; service left out`,
      ...(origin === undefined ? {} : { source: origin.source }),
      path: `http.services.${name}`,
      object: name,
    });
  }
  if (kept === undefined) return message;
  const origins = new Map(message.origins);
  for (const d of diagnostics) origins.delete(d.path ?? '');
  return {
    ...message,
    config: { ...message.config, http: { ...message.config.http, services: kept } },
    origins,
    diagnostics: [...message.diagnostics, ...diagnostics],
  };
}
