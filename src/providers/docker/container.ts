/**
 * What the Docker provider knows of one container: the parts of `GET /containers/{id}/json` that
 * Traefik's docker provider reads, already normalised. The engine side (client.ts, events) builds
 * these from the Docker API; the translation (translate.ts) turns a list of them into dynamic
 * configuration and never talks to Docker, so it is tested on data alone (golden tests).
 */

/** One network the container is attached to (`NetworkSettings.Networks.<name>`). */
export interface ContainerNetwork {
  /** The network's name as Docker shows it (compose prefixes it with the project: `proj_default`). */
  readonly name: string;
  /** IPv4 address on that network, '' when none (host network, not started). */
  readonly ipAddress: string;
  /** IPv6 address on that network, '' when none. */
  readonly globalIPv6Address: string;
}

/** One exposed port and, when published, where the host binds it. */
export interface ContainerPort {
  /** Container-side port number. */
  readonly port: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  /** Host bindings (`HostConfig.PortBindings` / `NetworkSettings.Ports`), empty when not published. */
  readonly bindings: readonly { readonly hostIp: string; readonly hostPort: number }[];
}

export interface ContainerInfo {
  /** Full container id. */
  readonly id: string;
  /** Container name without the leading '/'. */
  readonly name: string;
  /** Labels as set on the container (keys verbatim: label keys are matched case-insensitively later). */
  readonly labels: Readonly<Record<string, string>>;
  /** `State.Status`: created, running, paused, restarting, removing, exited, dead. */
  readonly state: string;
  /** `State.Health.Status` when the image/container defines a health check: starting, healthy, unhealthy. */
  readonly health: 'starting' | 'healthy' | 'unhealthy' | undefined;
  /** `HostConfig.NetworkMode`: 'default', 'bridge', 'host', 'none', 'container:<id>', or a network name. */
  readonly networkMode: string;
  /** Attached networks, in Docker's (map) order. */
  readonly networks: readonly ContainerNetwork[];
  /** Exposed ports (`Config.ExposedPorts` with `NetworkSettings.Ports` bindings), sorted by port. */
  readonly ports: readonly ContainerPort[];
  /** Extra hosts / the node's address when the provider runs in host mode; Traefik reads none by default. */
  readonly hostname?: string;
}
