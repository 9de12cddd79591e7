/**
 * Where a container's server is reached: Traefik's IP and port choice.
 *
 * - Port: the `loadbalancer.server.port` label, else the container's lowest exposed port (so its
 *   single one when it exposes one), else none (an error).
 * - IP: the container's address on `traefik.docker.network` (or the provider's `network`); when the
 *   container is not on that network, a warning and its first network. Host network mode: the
 *   address DOCKER-E found for the host (`hostname`: Traefik tries the node address,
 *   `host.docker.internal`, `host.containers.internal`), else 127.0.0.1. `container:<id>` network
 *   mode: the address of that container (with its own `traefik.docker.network`, else this one's).
 * - `useBindPortIP`: the host binding (IP:port) of the chosen port when it is published on a
 *   specific IP; a binding on 0.0.0.0 or none falls back to the container's address and port.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import type { ContainerInfo } from './container.js';
import { containerSource } from './labels.js';
import { TRANSLATE_CODES } from './translate-codes.js';

export interface ServerAddress {
  readonly ip: string;
  readonly port: string;
}

export interface AddressContext {
  readonly useBindPortIP: boolean;
  /** Every container known, to resolve `container:<id>` network modes. */
  readonly containers: readonly ContainerInfo[];
  /** The network label of another container (`traefik.docker.network`), for `container:<id>` modes. */
  readonly networkOf: (container: ContainerInfo) => string;
}

/** The port Traefik uses: the label's, else the lowest exposed one, else ''. */
export function containerPort(container: ContainerInfo, serverPort: string): string {
  if (serverPort !== '') return serverPort;
  let lowest: number | undefined;
  for (const p of container.ports) if (lowest === undefined || p.port < lowest) lowest = p.port;
  return lowest === undefined ? '' : String(lowest);
}

function hostBinding(container: ContainerInfo, port: string): { hostIp: string; hostPort: number } | undefined {
  const candidates = container.ports.filter((p) => String(p.port) === port && (p.protocol === 'tcp' || p.protocol === 'udp'));
  candidates.sort((a, b) => (a.protocol === b.protocol ? 0 : a.protocol === 'tcp' ? -1 : 1));
  for (const p of candidates) {
    const first = p.bindings[0];
    if (first !== undefined) return first;
  }
  return undefined;
}

function findContainer(all: readonly ContainerInfo[], ref: string): ContainerInfo | undefined {
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  return all.find((c) => c.id === ref || (ref.length >= 12 && c.id.startsWith(ref)) || c.name === name);
}

function ipAddress(container: ContainerInfo, network: string, ctx: AddressContext, warnings: Diagnostic[], depth: number): string {
  let notFound = false;
  if (network !== '') {
    const net = container.networks.find((n) => n.name === network);
    if (net !== undefined) return net.ipAddress !== '' ? net.ipAddress : net.globalIPv6Address;
    notFound = true;
  }
  if (container.networkMode === 'host') return container.hostname !== undefined && container.hostname !== '' ? container.hostname : '127.0.0.1';
  if (container.networkMode.startsWith('container:') && depth < 4) {
    const other = findContainer(ctx.containers, container.networkMode.slice('container:'.length));
    if (other === undefined) return '';
    const otherNetwork = ctx.networkOf(other);
    return ipAddress(other, otherNetwork !== '' ? otherNetwork : network, ctx, warnings, depth + 1);
  }
  const first = container.networks[0];
  if (notFound) {
    warnings.push({
      code: TRANSLATE_CODES.NETWORK_NOT_FOUND,
      severity: 'warning',
      message:
        `network ${JSON.stringify(network)} not found on the container (is the compose project prefix missing?)` +
        (first === undefined ? '' : `; using its first network ${JSON.stringify(first.name)}`),
      source: containerSource(container.name),
    });
  }
  if (first === undefined) return '';
  return first.ipAddress !== '' ? first.ipAddress : first.globalIPv6Address;
}

/**
 * The server address of a container for a service whose `server.port` label is `serverPort`
 * ('' = none): the address, or an error diagnostic (Traefik then leaves the container out).
 * Warnings (network not found) are appended to `warnings`.
 */
export function serverAddress(container: ContainerInfo, network: string, serverPort: string, ctx: AddressContext, warnings: Diagnostic[]): ServerAddress | Diagnostic {
  if (ctx.useBindPortIP) {
    const binding = hostBinding(container, containerPort(container, serverPort));
    if (binding !== undefined && binding.hostIp !== '' && binding.hostIp !== '0.0.0.0') {
      return { ip: binding.hostIp, port: String(binding.hostPort) };
    }
  }
  const ip = ipAddress(container, network, ctx, warnings, 0);
  if (ip === '') {
    return {
      code: TRANSLATE_CODES.NO_ADDRESS,
      severity: 'error',
      message: 'unable to find the IP address of the container; it is left out',
      source: containerSource(container.name),
    };
  }
  const port = containerPort(container, serverPort);
  if (port === '') {
    return {
      code: TRANSLATE_CODES.NO_PORT,
      severity: 'error',
      message: 'port is missing: the container exposes no port; set the label traefik.http.services.<name>.loadbalancer.server.port; it is left out',
      source: containerSource(container.name),
    };
  }
  return { ip, port };
}

/** `ip:port`, with brackets around an IPv6 address (Go's net.JoinHostPort). */
export function joinHostPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
