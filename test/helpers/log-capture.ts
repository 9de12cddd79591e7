/** A real pino logger whose records land in an array, for tests that assert on what was logged. */
import { pino, type Logger } from 'pino';

export interface LogCapture {
  readonly logger: Logger;
  /** Every record written so far, parsed (`msg`, `level` as a number, and the bound fields). */
  readonly records: Record<string, unknown>[];
}

export function captureLogs(level: 'debug' | 'info' | 'warn' = 'debug'): LogCapture {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level, base: null, timestamp: false }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}
