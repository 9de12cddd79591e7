/**
 * Starts the real `bin/turnpike` as a child process for end-to-end tests, collects its JSON log
 * lines, and lets a test wait for a given log event with a bound. Always `stop()` it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_WORKERS_ENV } from '../../src/config/static/build.js';
import { within } from './wait.js';

const HERE = dirname(fileURLToPath(import.meta.url)); // <outDir>/test/helpers
export const REPO_ROOT = join(HERE, '..', '..', '..');
/** The CLI of the same build as this test (so a build in another outDir tests itself). */
export const BIN = join(HERE, '..', '..', 'src', 'cli', 'main.js');
/** The user-facing launcher at the repo root (runs dist/). */
export const LAUNCHER = join(REPO_ROOT, 'bin', 'turnpike');

export type LogRecord = Record<string, unknown> & { msg?: string; level?: number };

export class TurnpikeProcess {
  readonly child: ChildProcess;
  readonly logs: LogRecord[] = [];
  readonly stderr: string[] = [];
  #waiters: { match: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];
  #exited: Promise<number | null>;

  /**
   * `opts.env` is added to this process's environment. The `workers` default is one process
   * (TURNPIKE_DEFAULT_WORKERS=1) so that tests stay light on small machines: a test about workers
   * sets `workers` in its configuration (which wins over that default whatever the source), and one
   * that wants the real default (the number of CPU cores) passes `TURNPIKE_DEFAULT_WORKERS: undefined`.
   * (An added `--workers=1` flag would not do: the static configuration comes from one source only,
   * so a flag would be ignored beside a file, and would take the place of TRAEFIK_* variables.)
   */
  constructor(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, [DEFAULT_WORKERS_ENV]: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#exited = once(this.child, 'exit').then(([code]) => code as number | null);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let rec: LogRecord;
      try {
        rec = JSON.parse(line) as LogRecord;
      } catch {
        rec = { msg: line };
      }
      // Traefik's JSON shape says `message`; tests read `msg`.
      if (typeof rec.message === 'string') rec.msg = rec.message;
      this.logs.push(rec);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(rec)) return true;
        w.resolve(rec);
        return false;
      });
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  /** Resolves with the first log record (past or future) that matches. */
  waitForLog(what: string, match: (r: LogRecord) => boolean, ms = 10_000): Promise<LogRecord> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return within(`log "${what}" (logs so far: ${JSON.stringify(this.logs.slice(-5))} stderr: ${this.stderr.join('\n')})`, new Promise<LogRecord>((resolve) => this.#waiters.push({ match, resolve })), ms);
  }

  /** Counts matching records seen so far. */
  count(match: (r: LogRecord) => boolean): number {
    return this.logs.filter(match).length;
  }

  exited(ms = 15_000): Promise<number | null> {
    return within('turnpike exit', this.#exited, ms);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    try {
      await within('turnpike stop', this.#exited, 15_000);
    } catch {
      this.child.kill('SIGKILL');
      await this.#exited;
    }
  }
}
