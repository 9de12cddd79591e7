/**
 * A real Docker Engine for tests and benchmarks (../shared/TESTING.md "Docker Engine"): dockerd in a
 * temporary directory with its own socket, data and exec roots, `--iptables=false` so the host's
 * firewall is left alone, and an image `local/busybox` imported from Debian's busybox-static (no
 * registry). Containers are reached through loopback only (`--network=host` listening on 127.0.0.1,
 * or ports published on 127.0.0.1). `stop()` removes the containers, stops dockerd and deletes the
 * directory. Start one per test file and share it.
 *
 * Skipped only when dockerd is not installed and CI is not set: in CI a missing engine fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import type { DockerProviderConfig } from '../../src/config/static/sections/docker.js';
import { waitFor, within } from './wait.js';

/** A providers.docker model with Traefik's defaults (as buildDocker makes them) for `endpoint`, changed by `over`. */
export function dockerProviderConfig(endpoint: string, over: Partial<DockerProviderConfig> = {}): DockerProviderConfig {
  return {
    endpoint,
    exposedByDefault: true,
    defaultRule: 'Host(`{{ normalize .Name }}`)',
    network: '',
    useBindPortIP: false,
    watch: true,
    constraints: '',
    allowEmptyServices: false,
    httpClientTimeout: 0,
    username: undefined,
    password: undefined,
    tls: undefined,
    ...over,
  };
}

export const BUSYBOX_IMAGE = 'local/busybox';
const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'httpd', 'wget', 'cat', 'echo', 'sleep', 'mkdir', 'kill', 'true'];

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why Docker tests cannot run here, or false when they can (and must, in CI). */
export function dockerdSkipReason(): string | false {
  if (onPath('dockerd') && existsSync(BUSYBOX)) return false;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') return false; // fail loudly in CI
  return `dockerd or ${BUSYBOX} not installed (Debian: docker.io busybox-static)`;
}

/** A free TCP port on 127.0.0.1 (bound then released: a container takes it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RunOptions {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Command; default: busybox httpd on 127.0.0.1:`port` serving a page that says `body`. */
  readonly cmd?: readonly string[];
  /** Port for the default httpd command (with host networking). */
  readonly port?: number;
  /** Body of the default page (default: the container name). */
  readonly body?: string;
  /** `host` (default) or `bridge`. */
  readonly network?: 'host' | 'bridge';
  /** Container port -> host port published on 127.0.0.1 (bridge network). */
  readonly publish?: Readonly<Record<number, number>>;
  /** Seconds `docker stop` waits before SIGKILL (default 10, Docker's). */
  readonly stopTimeout?: number;
  /** Docker health check command (CMD-SHELL), checked every 100 ms. */
  readonly healthCmd?: string;
}

/** The default container command: write the page, then serve it with busybox httpd in the foreground. */
export function httpdCommand(port: number, body: string, bind = '127.0.0.1'): string[] {
  const page = body.replace(/'/g, '');
  return ['sh', '-c', `mkdir -p /tmp/www && echo -n '${page}' > /tmp/www/index.html && exec httpd -f -p ${bind}:${port} -h /tmp/www`];
}

/** Files for a TLS listener (`--tlsverify`: clients need a certificate signed by `caFile`). */
export interface DockerdTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface DockerdOptions {
  /** Also listen on tcp://127.0.0.1:<free port> with TLS and client-certificate verification. */
  readonly tls?: DockerdTls;
  readonly timeoutMs?: number;
}

export class Dockerd {
  readonly dir: string;
  readonly socketPath: string;
  readonly endpoint: string;
  /** `tcp://127.0.0.1:<port>` when started with `tls`. */
  tlsEndpoint: string | undefined;
  readonly api: Dockerode;
  readonly #extraArgs: string[] = [];
  #child: ChildProcess | undefined;
  #logFd = -1;
  readonly #killOnExit = (): void => {
    this.#child?.kill('SIGKILL');
  };

  private constructor(dir: string) {
    this.dir = dir;
    this.socketPath = join(dir, 'docker.sock');
    this.endpoint = `unix://${this.socketPath}`;
    this.api = new Dockerode({ socketPath: this.socketPath, host: undefined, protocol: undefined });
  }

  /** Starts dockerd and imports the busybox image; about 1-2 s. */
  static async start(opts: DockerdOptions = {}): Promise<Dockerd> {
    const d = new Dockerd(mkdtempSync(join(tmpdir(), 'tp-dockerd-')));
    try {
      if (opts.tls !== undefined) {
        d.tlsEndpoint = `tcp://127.0.0.1:${await freePort()}`;
        const t = opts.tls;
        d.#extraArgs.push('--host', d.tlsEndpoint, '--tlsverify', '--tlscacert', t.caFile, '--tlscert', t.certFile, '--tlskey', t.keyFile);
      }
      await d.startDaemon(opts.timeoutMs);
      await d.#importBusybox();
    } catch (err) {
      await d.stop();
      throw err;
    }
    return d;
  }

  /** Starts (or restarts) the daemon process on the same directories and waits for /_ping. */
  async startDaemon(timeoutMs = 30_000): Promise<void> {
    if (this.#logFd < 0) this.#logFd = openSync(join(this.dir, 'dockerd.log'), 'a');
    const d = this.dir;
    this.#child = spawn(
      'dockerd',
      [
        '--host', this.endpoint,
        '--data-root', join(d, 'data'),
        '--exec-root', join(d, 'exec'),
        '--pidfile', join(d, 'dockerd.pid'),
        '--storage-driver', 'overlay2',
        '--iptables=false',
        '--ip', '127.0.0.1',
        '--shutdown-timeout', '1',
        ...this.#extraArgs,
      ],
      { stdio: ['ignore', this.#logFd, this.#logFd] },
    );
    process.once('exit', this.#killOnExit);
    const child = this.#child;
    const exited = once(child, 'exit').then(() => {
      throw new Error(`dockerd exited at start: ${this.log().slice(-2000)}`);
    });
    exited.catch(() => undefined);
    await Promise.race([waitFor('dockerd /_ping', () => this.api.ping().then(() => true), timeoutMs), exited]);
  }

  /** Stops the daemon process (TERM; its containers stop with it). */
  async stopDaemon(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    process.removeListener('exit', this.#killOnExit);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    try {
      await within('dockerd stop', exited, 30_000);
    } catch {
      child.kill('SIGKILL');
      await exited;
    }
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'dockerd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async #importBusybox(): Promise<void> {
    const root = join(this.dir, 'rootfs');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const progress = (await this.api.importImage(tar.stdout, { repo: BUSYBOX_IMAGE, tag: 'latest' })) as Readable;
    await new Promise<void>((resolve, reject) => {
      this.api.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  /** Creates and starts a container; returns its id. */
  async run(opts: RunOptions): Promise<string> {
    const c = await this.create(opts);
    await c.start();
    return c.id;
  }

  /** Creates a container without starting it. */
  async create(opts: RunOptions): Promise<Dockerode.Container> {
    const network = opts.network ?? 'host';
    const cmd = opts.cmd ?? httpdCommand(opts.port ?? 80, opts.body ?? opts.name, network === 'host' ? '127.0.0.1' : '0.0.0.0');
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const [inner, outer] of Object.entries(opts.publish ?? {})) {
      exposed[`${inner}/tcp`] = {};
      bindings[`${inner}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(outer) }];
    }
    return this.api.createContainer({
      Image: BUSYBOX_IMAGE,
      name: opts.name,
      Cmd: [...cmd],
      Labels: { ...opts.labels },
      ExposedPorts: exposed,
      ...(opts.stopTimeout === undefined ? {} : { StopTimeout: opts.stopTimeout }),
      ...(opts.healthCmd === undefined
        ? {}
        : { Healthcheck: { Test: ['CMD-SHELL', opts.healthCmd], Interval: 100_000_000, Timeout: 1_000_000_000, Retries: 1, StartPeriod: 0 } }),
      HostConfig: { NetworkMode: network === 'host' ? 'host' : 'bridge', PortBindings: bindings },
    });
  }

  /** Removes every container (running or not). */
  async removeAll(): Promise<void> {
    const list = await this.api.listContainers({ all: true });
    await Promise.all(list.map((c) => this.api.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }

  /** Removes the containers, stops dockerd, unmounts what it left and deletes the directory. */
  async stop(): Promise<void> {
    if (this.#child !== undefined) await this.removeAll().catch(() => undefined);
    await this.stopDaemon();
    if (this.#logFd >= 0) closeSync(this.#logFd);
    this.#logFd = -1;
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(this.dir + '/'))
      .reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
