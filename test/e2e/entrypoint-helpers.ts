/**
 * Shared by the entry point tests: a complete EntryPointConfig for 127.0.0.1:0 and a raw TCP
 * client that sends exact bytes and collects everything the server answers until it closes.
 */
import { request, type Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { EntryPointConfig, RespondingTimeouts } from '../../src/config/static/types.js';

export interface ConfigOverrides {
  readonly trustedIPs?: readonly string[];
  readonly insecure?: boolean;
  readonly timeouts?: Partial<RespondingTimeouts>;
  readonly graceTimeOut?: number;
  /** Extra `http` options (sanitizePath, encodeQuerySemicolons, maxHeaderBytes). */
  readonly http?: { sanitizePath?: boolean; encodeQuerySemicolons?: boolean; maxHeaderBytes?: number };
}

export function entryPointConfig(o: ConfigOverrides = {}): EntryPointConfig {
  return {
    name: 'web',
    address: '127.0.0.1:0',
    host: '127.0.0.1',
    port: 0,
    protocol: 'tcp',
    asDefault: false,
    forwardedHeaders: { trustedIPs: o.trustedIPs ?? [], insecure: o.insecure ?? false },
    transport: {
      respondingTimeouts: { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000, ...o.timeouts },
      lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: o.graceTimeOut ?? 10_000 },
    },
    http: { redirections: undefined, middlewares: [], ...o.http },
  };
}

export interface RawResult {
  /** Everything received, latin1. */
  readonly data: string;
  /** The server closed (or reset) the connection before the bound. */
  readonly closed: boolean;
  /** ms from connect until close (or the bound). */
  readonly elapsed: number;
}

/**
 * Send `chunks` (written one after another, `gapMs` apart when given) and wait until the server
 * closes the connection or `boundMs` passes. Never throws on resets.
 */
export function rawExchange(
  port: number,
  chunks: readonly (string | Buffer)[],
  boundMs = 3000,
  gapMs = 0,
): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    let gapTimer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(bound);
      clearTimeout(gapTimer);
      socket.destroy();
      resolve({ data, closed, elapsed: Date.now() - started });
    };
    const bound = setTimeout(() => finish(false), boundMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      let i = 0;
      const next = (): void => {
        if (done || i >= chunks.length) return;
        const c = chunks[i++] as string | Buffer;
        if (!socket.writable) return;
        socket.write(c);
        if (gapMs > 0) gapTimer = setTimeout(next, gapMs);
        else next();
      };
      next();
    });
  });
}

/** Status code of the first response in raw data, or 0. */
export function firstStatus(data: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
  return m === null ? 0 : Number(m[1]);
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request with node:http (no keep-alive unless an agent is given); rejects on socket errors. */
export function httpRequest(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: opts.headers,
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** `promise`, or a rejection after `ms` (a bound, not a sleep). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** A promise plus its resolver, for "wait until the handler got here" signals. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
