/** Fills the fields a golden fixture leaves out of a container (see test/fixtures/docker/README.md). */
import type { ContainerInfo, ContainerNetwork, ContainerPort } from '../../../../src/providers/docker/container.js';

export interface FixtureContainer {
  readonly name: string;
  readonly id?: string;
  readonly labels?: Record<string, string>;
  readonly state?: string;
  readonly health?: 'starting' | 'healthy' | 'unhealthy' | null;
  readonly networkMode?: string;
  /** Networks; `ip` is a shorthand for one network named `bridge` with that address. */
  readonly networks?: readonly ContainerNetwork[];
  readonly ip?: string;
  /** Ports; a number is a tcp port without host binding. */
  readonly ports?: readonly (number | ContainerPort)[];
  readonly hostname?: string;
}

export function fixtureContainer(f: FixtureContainer): ContainerInfo {
  const networks = f.networks ?? (f.ip === undefined ? [] : [{ name: 'bridge', ipAddress: f.ip, globalIPv6Address: '' }]);
  const ports = (f.ports ?? []).map((p) => (typeof p === 'number' ? { port: p, protocol: 'tcp' as const, bindings: [] } : p));
  return {
    id: f.id ?? `${f.name}-0123456789abcdef`,
    name: f.name,
    labels: f.labels ?? {},
    state: f.state ?? 'running',
    health: f.health ?? undefined,
    networkMode: f.networkMode ?? 'bridge',
    networks,
    ports,
    ...(f.hostname === undefined ? {} : { hostname: f.hostname }),
  };
}
