/**
 * Load for the worker restart tests (workers.test.ts): lanes of requests through Turnpike, half on
 * a fresh connection each, half on one keep-alive connection each, every request bounded in time
 * and recorded (start, end, body or error) for the test to judge afterwards. Plus a way to tell
 * which worker process served a request: the upstream echoes the source port of the proxy's
 * connection (X-Peer-Port) and `tcpPortsOf(pid)` lists the local ports of a process's TCP sockets.
 */
import { Agent, request } from 'node:http';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { within } from '../helpers/wait.js';

export type LaneKind = 'fresh' | 'keepAlive';

export interface Outcome {
  readonly kind: LaneKind;
  readonly lane: number;
  /** performance.now() when the request was made and when it settled. */
  readonly start: number;
  readonly end: number;
  /** The response body of a 200. */
  readonly body?: string;
  /** The upstream's view of the proxy connection's source port (X-Peer-Port). */
  readonly peerPort?: number;
  /** Why it failed: an error code or message, a non-200 status, or `hang`. */
  readonly error?: string;
  /** It went out on a keep-alive connection that had served a request before. */
  readonly reused: boolean;
}

/** An upstream answering `name` with the source port of the connection in X-Peer-Port. */
export function peerPortUpstream(name: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-peer-port': String(req.socket.remotePort ?? 0) });
    res.end(name);
  });
}

/** One GET of http://app.test/ through Turnpike; never rejects: failures are in the outcome. */
function fetchOutcome(port: number, kind: LaneKind, lane: number, agent: Agent | false, boundMs: number): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let reused = false;
    const done = (o: Omit<Outcome, 'kind' | 'lane' | 'start' | 'end' | 'reused'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ kind, lane, start, end: performance.now(), reused, ...o });
    };
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'app.test' }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) done({ body, peerPort: Number(res.headers['x-peer-port']) });
        else done({ error: `status ${res.statusCode}: ${body}` });
      });
      res.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    });
    req.on('socket', () => {
      reused = req.reusedSocket;
    });
    const timer = setTimeout(() => {
      done({ error: 'hang' });
      req.destroy();
    }, boundMs);
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    req.end();
  });
}

export interface Load {
  readonly outcomes: Outcome[];
  /** Resolves once `count` more requests than now succeeded (fails after `ms`). */
  progress(count: number, ms?: number): Promise<void>;
  /** Stops every lane after its current request; resolves when all stopped. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  readonly port: number;
  /** Lanes of each kind (fresh connections, keep-alive connections). */
  readonly lanes: number;
  /** A request not settled within this bound counts as a hang. */
  readonly boundMs: number;
  /** Each lane stops after this many requests, whatever happens (keeps a broken run bounded). */
  readonly maxPerLane: number;
}

export function startLoad(opts: LoadOptions): Load {
  const outcomes: Outcome[] = [];
  let ok = 0;
  let stopped = false;
  let waiters: { target: number; resolve: () => void }[] = [];
  const record = (o: Outcome): void => {
    outcomes.push(o);
    if (o.error !== undefined) return;
    ok++;
    waiters = waiters.filter((w) => {
      if (ok < w.target) return true;
      w.resolve();
      return false;
    });
  };
  const lane = async (kind: LaneKind, index: number): Promise<void> => {
    const agent = kind === 'fresh' ? false : new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < opts.maxPerLane && !stopped; i++) record(await fetchOutcome(opts.port, kind, index, agent, opts.boundMs));
    } finally {
      if (agent) agent.destroy();
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < opts.lanes; i++) lanes.push(lane('fresh', i), lane('keepAlive', i));
  const all = Promise.all(lanes);
  return {
    outcomes,
    progress(count: number, ms = 10_000): Promise<void> {
      const target = ok + count;
      const reached = new Promise<void>((resolve) => waiters.push({ target, resolve }));
      // A lane that ran out of requests ends the wait too (with an error: no more progress).
      const ended = all.then(() => {
        if (ok < target) throw new Error(`load ended after ${ok} successes, wanted ${target}`);
      });
      return within(`${count} more successful requests (${ok} so far)`, Promise.race([reached, ended]), ms);
    },
    async stop(): Promise<void> {
      stopped = true;
      await all;
    },
  };
}

/** Local ports of the IPv4/IPv6 TCP sockets process `pid` holds (Linux /proc). */
export function tcpPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1] !== undefined) inodes.add(m[1]);
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const inode = cols[9];
      if (local === undefined || inode === undefined || !inodes.has(inode)) continue;
      ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}
