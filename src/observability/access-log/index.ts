/**
 * Access logs (static `accessLog`): an ObservabilityPart that writes one line per request when
 * the exchange is over, in Traefik's common, genericCLF or JSON format, filtered and with the
 * fields `accessLog.fields` keeps. Loaded only when `accessLog` is configured (load.ts).
 *
 * Per request: at begin the request number and the path as it arrived go into the record (no
 * allocation); at finish the filters decide, then the kept fields are formatted into one string
 * appended to the writer's buffer (LineWriter: asynchronous writes of whole lines). Response heads
 * are only kept (a small writer wrapper per request) when header fields are logged.
 *
 * SIGUSR1 reopens the file (logrotate). With `--workers N` every worker appends to the same file
 * and the primary forwards SIGUSR1 to the workers.
 */
import type { AccessLogConfig } from '../../config/static/sections/access-log.js';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, Handler } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { ObservabilityPart } from '../core.js';
import type { ObservabilityContext } from '../load.js';
import type { Logger } from '../logger.js';
import type { Instrumentation } from '../observer.js';
import type { RequestRecord } from '../request-record.js';
import { Entry, fillEntry } from './entry.js';
import { FieldPolicy, neededFields } from './fields.js';
import { compileFilters } from './filters.js';
import { formatCommon, formatGenericClf, formatJson } from './formatters.js';
import { LineWriter } from './writer.js';

/** Keeps the head a service (origin) or the entry point (downstream) writes, for header fields. */
class HeadCapture extends DelegatingResponseWriter {
  constructor(
    inner: DelegatingResponseWriter['inner'],
    private readonly rec: RequestRecord,
    private readonly origin: boolean,
  ) {
    super(inner);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (status >= 200 || status === 101) {
      // The list itself, as Traefik keeps the header map: later head hooks show in it too.
      if (this.origin) this.rec.originHeaders = headers;
      else this.rec.downstreamHeaders = headers;
    }
    this.inner.writeHead(status, headers, statusMessage);
  }
}

/** Where lines go: the LineWriter, or a test's sink. */
export interface LineSink {
  append(line: string): void;
}

export interface AccessLogPartOptions {
  /** Wall clock for the JSON `time` key (tests). */
  readonly now?: () => number;
  /** Starting value of the per-process request counter (tests). */
  readonly counterStart?: number;
}

/** The access-log part over a sink; exported for tests (createAccessLogParts wires a file). */
export function createAccessLogPart(config: AccessLogConfig, sink: LineSink, opts: AccessLogPartOptions = {}): ObservabilityPart {
  const policy = new FieldPolicy(config.fields);
  const keepLine = compileFilters(config.filters);
  const addInternals = config.addInternals;
  const now = opts.now ?? Date.now;
  const entry = new Entry();
  const format = config.format;
  const need = neededFields(policy.keep, format);
  let counter = opts.counterStart ?? 0;
  const captureHeads = policy.anyHeader;

  const instrumentation: Instrumentation | undefined = captureHeads
    ? {
        service(_serviceName: string, _routerName: string, handler: Handler): Handler {
          return function accessLogOrigin(ex: Exchange) {
            const rec = ex.record;
            if (rec !== null) ex.response = new HeadCapture(ex.response, rec, true);
            return handler(ex);
          };
        },
      }
    : undefined;

  return {
    name: 'accessLog',
    ...(instrumentation ? { instrumentation } : {}),
    begin(ex: Exchange, rec: RequestRecord): void {
      rec.requestCount = ++counter;
      rec.requestPath = ex.path;
      rec.requestQuery = ex.query;
      if (captureHeads) ex.response = new HeadCapture(ex.response, rec, false);
    },
    finish(ex: Exchange, rec: RequestRecord, status: number, durationMs: number): void {
      if (!addInternals) {
        const router = ex.routerName;
        if (router !== undefined && router.endsWith('@internal')) return;
      }
      if (keepLine !== undefined && !keepLine(status, rec.retryAttempts, durationMs)) return;
      fillEntry(entry, ex, rec, status, durationMs, policy, need);
      const line = format === 'json' ? formatJson(entry, policy, now()) : format === 'genericCLF' ? formatGenericClf(entry, policy) : formatCommon(entry, policy);
      sink.append(line);
    },
  };
}

/** The access log of this process (load.ts calls it when `accessLog` is configured). */
export function createAccessLogParts(ctx: ObservabilityContext): ObservabilityPart[] {
  const config = ctx.config.accessLog;
  if (config === undefined) return [];
  return [createFileAccessLog(config, ctx.logger)];
}

function createFileAccessLog(config: AccessLogConfig, logger: Logger): ObservabilityPart {
  const writer = new LineWriter({ filePath: config.filePath, bufferingSize: config.bufferingSize, logger });
  const part = createAccessLogPart(config, writer);
  const filePath = config.filePath;
  const onUsr1 = (): void => {
    void writer.reopen().then((opened) => {
      if (opened) logger.info({ filePath }, 'access log reopened');
      else logger.error({ filePath }, 'cannot reopen the access log: lines still go to the file open before');
    });
  };
  if (filePath !== undefined) process.on('SIGUSR1', onUsr1);
  return {
    ...part,
    close(): Promise<void> {
      if (filePath !== undefined) process.off('SIGUSR1', onUsr1);
      return writer.close();
    },
  };
}
