/**
 * The process logger (pino). Traefik's levels map onto pino's; `common` format is a one-line
 * human-readable rendering written by a small pino destination, `json` is pino's own output.
 * Disabled levels are pino no-ops, so the hot path pays nothing unless a level is on.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { LogLevel } from '../config/static/types.js';

export type { Logger };

const LEVELS: Record<LogLevel, LevelWithSilent> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  PANIC: 'fatal',
};

const LABELS: Record<string, string> = { trace: 'TRC', debug: 'DBG', info: 'INF', warn: 'WRN', error: 'ERR', fatal: 'FTL' };

/** Renders the JSON lines as `2026-01-02T03:04:05Z INF message key=value ...`. */
function commonFormat(out: Writable): Writable {
  const pass = { write: (line: string) => out.write(line) };
  return {
    write(chunk: string): boolean {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(chunk) as Record<string, unknown>;
      } catch {
        pass.write(chunk);
        return true;
      }
      const { time, level, message, ...rest } = rec;
      const when = typeof time === 'string' ? time : '';
      const label = typeof level === 'string' ? (LABELS[level] ?? level.toUpperCase()) : '';
      let line = `${when} ${label} ${typeof message === 'string' ? message : ''}`;
      for (const [k, v] of Object.entries(rest)) {
        line += ` ${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`;
      }
      out.write(line + '\n');
      return true;
    },
  } as unknown as Writable; // pino only calls write(); a full Writable is not needed
}

export interface LogOptions {
  readonly level: LogLevel;
  readonly format: 'common' | 'json';
  readonly filePath?: string | undefined;
}

export function createLogger(opts: LogOptions): Logger {
  const base: Writable = opts.filePath ? createWriteStream(opts.filePath, { flags: 'a' }) : process.stdout;
  const dest = opts.format === 'json' ? base : commonFormat(base);
  // Traefik's JSON log shape (zerolog): "level" as a word, RFC 3339 "time", "message".
  return pino(
    {
      level: LEVELS[opts.level],
      base: null,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}
