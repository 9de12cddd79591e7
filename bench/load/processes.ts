/**
 * The processes the benchmark starts: spawned pinned to a CPU, remembered by PID, and all
 * stopped by PID on exit, error or Ctrl-C. Readiness is polled with a bound, never slept for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A started long-running process (upstream or proxy). */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** File holding the process's stdout+stderr. */
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<string>;
}

/** Finds an executable on PATH plus the sbin directories (nginx lives in /usr/sbin). */
export function findTool(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the kernel picked it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The last `max` characters of a log file, for error messages. */
export function tail(file: string, max = 2000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > max ? '...' + text.slice(-max) : text;
  } catch {
    return '';
  }
}

/** One answer of a readiness probe. */
export interface Probe {
  readonly status: number;
  readonly body: string;
}

/** Sends one `GET path` with the Host to 127.0.0.1:port and collects the answer. */
export type Prober = (port: number, host: string, path: string, timeoutMs: number) => Promise<Probe>;

/** HTTP/1.1 probe on a fresh connection. */
export const probeHttp: Prober = (port, host, path, timeoutMs) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });

/**
 * Polls `GET /` with the given Host until it answers 200 with `body`, the process exits, or
 * `boundMs` passes (then throws with the process log). `prober` speaks the target's protocol.
 */
export async function waitReady(p: Started, port: number, host: string, body: string, boundMs = 30_000, prober: Prober = probeHttp): Promise<void> {
  const deadline = Date.now() + boundMs;
  let gone: string | undefined;
  void p.exited.then((how) => (gone = how));
  let last = 'no answer yet';
  let delay = 10;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`${p.name} exited (${gone}) before it was ready:\n${tail(p.logFile)}`);
    try {
      const r = await prober(port, host, '/', 1000);
      if (r.status === 200 && r.body === body) return;
      last = `status ${r.status}, body ${JSON.stringify(r.body.slice(0, 80))}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    // Back off between polls (bounded by the deadline); this is a poll interval, not a wait for an event.
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
  throw new Error(`${p.name} not ready on 127.0.0.1:${port} (Host ${host}) within ${boundMs} ms: ${last}\n${tail(p.logFile)}`);
}

/**
 * Owns every long-running process the benchmark starts. `stopAll()` is idempotent and is
 * wired to exit, SIGINT, SIGTERM and uncaught errors by `installCleanup()`.
 */
export class ProcessSet {
  readonly #running = new Map<number, Started>();
  #hooked = false;
  #interrupted = false;

  /** True once Ctrl-C / SIGTERM started the cleanup (errors after that are expected). */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /**
   * Starts `cmd args` pinned to `cpu` (a CPU number or a taskset list such as `0,1`; undefined:
   * not pinned); output goes to `logFile`.
   */
  start(name: string, cpu: number | string | undefined, cmd: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): Started {
    const fd = openSync(logFile, 'a');
    const [file, argv] = cpu === undefined ? [cmd, [...args]] : ['taskset', ['-c', String(cpu), cmd, ...args]];
    let child: ChildProcess;
    try {
      child = spawn(file, argv, { stdio: ['ignore', fd, fd], env: env ?? process.env });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${name} (${cmd})`);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#running.delete(pid);
        resolve(signal ?? `code ${String(code)}`);
      });
      child.once('error', (err) => {
        this.#running.delete(pid);
        resolve(err.message);
      });
    });
    const started: Started = { name, pid, child, logFile, exited };
    this.#running.set(pid, started);
    return started;
  }

  /** Stops one process: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(p: Started, graceMs = 15_000): Promise<void> {
    if (!this.#running.has(p.pid)) return;
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await p.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#running.values()].map((p) => this.stop(p)));
  }

  /** Synchronous last resort (process 'exit'): SIGKILL whatever is still running. */
  killAllNow(): void {
    for (const pid of this.#running.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#running.clear();
  }

  /** Stops everything on Ctrl-C / SIGTERM (then runs `onSignal` and exits 130/143) and on process exit. */
  installCleanup(onSignal: () => void): void {
    if (this.#hooked) return;
    this.#hooked = true;
    const bySignal = (signal: NodeJS.Signals, code: number): void => {
      this.#interrupted = true;
      process.stderr.write(`\nbench: ${signal}, stopping the processes it started...\n`);
      void this.stopAll().finally(() => {
        onSignal();
        process.exit(code);
      });
    };
    process.once('SIGINT', () => bySignal('SIGINT', 130));
    process.once('SIGTERM', () => bySignal('SIGTERM', 143));
    process.once('exit', () => this.killAllNow());
  }
}
