/**
 * The Docker Engine API as the Docker provider uses it (built on dockerode): list every container,
 * inspect one into a ContainerInfo, and open the event stream. Paths are unversioned, so the engine
 * answers with its own API version (1.41 for Debian's docker.io 20.10; any engine from 1.24 on
 * carries the fields read here).
 *
 * Endpoints: `unix:///path`, `tcp://host:port` (TLS when `tls` is configured), `http://` and
 * `https://`. The client never reads DOCKER_HOST or the other DOCKER_* variables: only the
 * configuration says where the engine is. `httpClientTimeout` bounds each request except the
 * event stream, which is meant to stay open.
 */
import { Agent as HttpsAgent } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import type { DockerProviderConfig } from '../../config/static/sections/docker.js';
import type { ContainerInfo, ContainerNetwork, ContainerPort } from './container.js';

export type DockerClientConfig = Pick<DockerProviderConfig, 'endpoint' | 'httpClientTimeout' | 'username' | 'password' | 'tls'>;

/** One event of the stream, reduced to what the provider acts on. */
export interface DockerEvent {
  /** `container` or `network` (the stream is filtered to these). */
  readonly type: string;
  /** `start`, `die`, `kill`, `health_status: healthy`, `connect`, ... as Docker writes it. */
  readonly action: string;
  /** The container concerned (for network events, the container connected or disconnected). */
  readonly containerId: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** When the engine emitted it, ns since the epoch (0 when absent). */
  readonly timeNano: bigint;
}

/** The event stream once open: its events, then its end (daemon gone, connection lost, or aborted). */
export interface DockerEventStream {
  /** Resolves when the stream ends for any reason, with the error if there was one. */
  readonly ended: Promise<Error | undefined>;
}

/** Reads a TLS setting that Traefik accepts as a file path or as PEM text. */
function pemOrFile(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * dockerode options for an endpoint. Every key dockerode would otherwise take from DOCKER_HOST,
 * DOCKER_CERT_PATH or DOCKER_CLIENT_TIMEOUT is set explicitly, so the environment cannot redirect it.
 */
export function dockerodeOptions(cfg: DockerClientConfig): Dockerode.DockerOptions {
  const url = new URL(cfg.endpoint);
  const base: Record<string, unknown> = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
    version: undefined,
    pathPrefix: '/',
    headers: {},
  };
  if (url.protocol === 'unix:') {
    base['socketPath'] = decodeURIComponent(url.pathname);
    return base;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'tcp:' && cfg.tls !== undefined);
  base['host'] = url.hostname.replace(/^\[(.*)\]$/, '$1');
  base['port'] = url.port === '' ? (secure ? 2376 : 2375) : Number(url.port);
  base['protocol'] = secure ? 'https' : 'http';
  if (url.pathname !== '' && url.pathname !== '/') base['pathPrefix'] = url.pathname;
  if (cfg.username !== undefined && cfg.username !== '' && cfg.password !== undefined && cfg.password !== '') {
    base['headers'] = { Authorization: `Basic ${Buffer.from(`${cfg.username}:${cfg.password}`).toString('base64')}` };
  }
  if (secure) {
    const tls = cfg.tls;
    const ca = pemOrFile(tls?.ca);
    const cert = pemOrFile(tls?.cert);
    const key = pemOrFile(tls?.key);
    base['agent'] = new HttpsAgent({
      keepAlive: true,
      rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    });
  }
  return base;
}

/** The parts of `NetworkSettings.Ports` / `HostConfig.PortBindings` values we keep. */
function bindingsOf(value: unknown): { hostIp: string; hostPort: number }[] {
  if (!Array.isArray(value)) return [];
  const out: { hostIp: string; hostPort: number }[] = [];
  for (const b of value) {
    if (!isRecord(b)) continue;
    const hostPort = Number(str(b['HostPort']));
    if (Number.isInteger(hostPort) && hostPort > 0) out.push({ hostIp: str(b['HostIp']), hostPort });
  }
  return out;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/**
 * `GET /containers/{id}/json` -> ContainerInfo (pure; tested on data). Exposed ports come from
 * `Config.ExposedPorts` and `NetworkSettings.Ports`; bindings from `NetworkSettings.Ports` while the
 * container runs, else from `HostConfig.PortBindings`. Undefined when the document is not a container.
 */
export function toContainerInfo(raw: unknown): ContainerInfo | undefined {
  if (!isRecord(raw) || typeof raw['Id'] !== 'string') return undefined;
  const state = isRecord(raw['State']) ? raw['State'] : {};
  const config = isRecord(raw['Config']) ? raw['Config'] : {};
  const hostConfig = isRecord(raw['HostConfig']) ? raw['HostConfig'] : {};
  const settings = isRecord(raw['NetworkSettings']) ? raw['NetworkSettings'] : {};
  const labels: Record<string, string> = {};
  if (isRecord(config['Labels'])) {
    for (const [k, v] of Object.entries(config['Labels'])) if (typeof v === 'string') labels[k] = v;
  }
  const health = isRecord(state['Health']) ? str(state['Health']['Status']) : '';
  const networks: ContainerNetwork[] = [];
  if (isRecord(settings['Networks'])) {
    for (const [name, n] of Object.entries(settings['Networks'])) {
      if (isRecord(n)) networks.push({ name, ipAddress: str(n['IPAddress']), globalIPv6Address: str(n['GlobalIPv6Address']) });
    }
  }
  const live = isRecord(settings['Ports']) ? settings['Ports'] : {};
  const declared = isRecord(hostConfig['PortBindings']) ? hostConfig['PortBindings'] : {};
  const exposed = isRecord(config['ExposedPorts']) ? config['ExposedPorts'] : {};
  const running = str(state['Status']) === 'running';
  const keys = new Set([...Object.keys(exposed), ...Object.keys(live), ...Object.keys(declared)]);
  const ports: ContainerPort[] = [];
  for (const key of keys) {
    const [num, proto = 'tcp'] = key.split('/');
    const port = Number(num);
    if (!Number.isInteger(port) || port <= 0 || !PROTOCOLS.has(proto)) continue;
    const bindings = bindingsOf(running || Object.hasOwn(live, key) ? live[key] : declared[key]);
    ports.push({ port, protocol: proto as ContainerPort['protocol'], bindings });
  }
  ports.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  return {
    id: raw['Id'],
    name: str(raw['Name']).replace(/^\//, ''),
    labels,
    state: str(state['Status']),
    health: health === 'starting' || health === 'healthy' || health === 'unhealthy' ? health : undefined,
    networkMode: str(hostConfig['NetworkMode']),
    networks,
    ports,
  };
}

/** One line of `GET /events` -> DockerEvent, or undefined for lines that are not container-related. */
export function parseEventLine(line: string): DockerEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  const actor = isRecord(raw['Actor']) ? raw['Actor'] : {};
  const attributes: Record<string, string> = {};
  if (isRecord(actor['Attributes'])) {
    for (const [k, v] of Object.entries(actor['Attributes'])) if (typeof v === 'string') attributes[k] = v;
  }
  const type = str(raw['Type']);
  const containerId = type === 'network' ? (attributes['container'] ?? '') : str(actor['ID']) || str(raw['id']);
  if (containerId === '') return undefined;
  const nano = raw['timeNano'];
  return {
    type,
    action: str(raw['Action']) || str(raw['status']),
    containerId,
    attributes,
    timeNano: typeof nano === 'number' && Number.isFinite(nano) ? BigInt(Math.trunc(nano)) : 0n,
  };
}

/** How many container inspections DockerClient.inspectAll runs at once. */
export const INSPECT_CONCURRENCY = 8;

function statusOf(err: unknown): number | undefined {
  return isRecord(err) && typeof err['statusCode'] === 'number' ? err['statusCode'] : undefined;
}

/** The Engine API calls the provider makes, over one dockerode client. */
export class DockerClient {
  readonly #docker: Dockerode;
  readonly #timeoutMs: number;

  constructor(cfg: DockerClientConfig) {
    this.#docker = new Dockerode(dockerodeOptions(cfg));
    this.#timeoutMs = cfg.httpClientTimeout;
  }

  /** `signal`, bounded by httpClientTimeout when one is set. */
  #bounded(signal: AbortSignal): AbortSignal {
    return this.#timeoutMs > 0 ? AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]) : signal;
  }

  /** The engine's version and API version (`GET /version`). */
  async version(signal: AbortSignal): Promise<{ version: string; apiVersion: string }> {
    // dockerode takes options here too (abortSignal) though its types only list the callback form.
    const docker = this.#docker as unknown as { version(opts: object): Promise<unknown> };
    const v = await docker.version({ abortSignal: this.#bounded(signal) });
    return isRecord(v) ? { version: str(v['Version']), apiVersion: str(v['ApiVersion']) } : { version: '', apiVersion: '' };
  }

  /** Ids of every container, running or not (`GET /containers/json?all=1`). */
  async listIds(signal: AbortSignal): Promise<string[]> {
    const list: unknown = await this.#docker.listContainers({ all: true, abortSignal: this.#bounded(signal) } as Dockerode.ContainerListOptions);
    if (!Array.isArray(list)) return [];
    return list.filter(isRecord).map((c) => str(c['Id'])).filter((id) => id !== '');
  }

  /** The container, or undefined when it no longer exists (404). */
  async inspect(id: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    try {
      const raw: unknown = await this.#docker.getContainer(id).inspect({ abortSignal: this.#bounded(signal) } as Dockerode.ContainerInspectOptions);
      return toContainerInfo(raw);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * Inspects several containers, at most INSPECT_CONCURRENCY at a time (a host may keep thousands
   * of exited containers: one connection each at once would exhaust file descriptors and load the
   * engine). Results are in the order of `ids`, undefined for a container that no longer exists.
   * Rejects with the first failure, starting no further request after it.
   */
  async inspectAll(ids: readonly string[], signal: AbortSignal): Promise<(ContainerInfo | undefined)[]> {
    const out = new Array<ContainerInfo | undefined>(ids.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < ids.length && !failed) {
        const i = next++;
        try {
          out[i] = await this.inspect(ids[i] ?? '', signal);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, ids.length) }, worker));
    return out;
  }

  /**
   * Opens `GET /events` for container and network events, replaying from `sinceSeconds` (engine
   * time) so that nothing between that instant and the subscription is missed. Resolves once the
   * engine has answered; `onEvent` is then called for each event, in order, until `ended` settles.
   */
  async events(sinceSeconds: number, signal: AbortSignal, onEvent: (e: DockerEvent) => void): Promise<DockerEventStream> {
    const stream = (await this.#docker.getEvents({
      since: sinceSeconds,
      filters: { type: ['container', 'network'] },
      abortSignal: signal,
    } as Dockerode.GetEventsOptions)) as Readable;
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      rest += chunk;
      let nl = rest.indexOf('\n');
      while (nl >= 0) {
        const line = rest.slice(0, nl).trim();
        rest = rest.slice(nl + 1);
        if (line !== '') {
          const event = parseEventLine(line);
          if (event !== undefined) onEvent(event);
        }
        nl = rest.indexOf('\n');
      }
    });
    const ended = new Promise<Error | undefined>((resolve) => {
      stream.once('end', () => resolve(undefined));
      stream.once('error', (err: Error) => resolve(err));
      stream.once('close', () => resolve(undefined));
    });
    const onAbort = (): void => {
      stream.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void ended.then(() => signal.removeEventListener('abort', onAbort));
    return { ended };
  }
}
