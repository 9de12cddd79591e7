/**
 * The `mirroring` service, as Traefik's: the main `service` answers the client; each mirror gets a
 * copy of `percent` % of the requests, and its answer is discarded.
 *
 * - Which requests are mirrored is counted, not drawn: mirror m takes request number `total` when
 *   `count_m * 100 < total * percent_m` (Traefik's rule), so 10 % mirrors requests 1, 11, 21, ...
 * - `mirrorBody` (default true) copies the body while it streams to the main service (see
 *   body-tee.ts); a body larger than `maxBodySize` bytes (-1 = no limit) is not mirrored at all, as
 *   in Traefik, and neither is a body the client cut. With `mirrorBody: false` mirrors get the
 *   request without its body (and without Content-Length / Transfer-Encoding).
 * - Mirrors are sent once the request's body was copied (right away without a body), after the
 *   main service got the request. A mirror never delays nor changes the main answer: its answer
 *   goes to a writer that discards it, and its failures are dropped.
 * - Upgrade (WebSocket) requests are not mirrored.
 * - `healthCheck: {}`: this service reports the main service's health (which must have one).
 */
import type { Exchange, Handler } from '../../exchange/exchange.js';
import { noDispose, type BuiltService } from '../service.js';
import { requireHealth } from '../weighted/parent-health.js';
import { teeBody, replayBody } from './body-tee.js';
import { DiscardingWriter } from './discarding-writer.js';
import { MirrorExchange, RequestCopy } from './mirror-exchange.js';

export interface MirroringChild {
  /** The child's qualified name. */
  readonly name: string;
  readonly service: BuiltService;
}

export interface MirrorChild extends MirroringChild {
  /** 0-100. */
  readonly percent: number;
}

export interface MirroringOptions {
  /** This service's qualified name (error messages). */
  readonly name: string;
  readonly mirrorBody: boolean;
  /** Bytes; -1 = no limit. */
  readonly maxBodySize: number;
  readonly healthCheck: boolean;
}

/** Counters start again well before products of them lose integer precision. */
const RESET_AT = 2 ** 44;

interface Mirror {
  readonly handler: Handler;
  readonly percent: number;
  count: number;
}

/**
 * Builds a mirroring service. Throws an Error with a user-facing message when `healthCheck` is set
 * and the main service reports no health.
 */
export function createMirroring(main: MirroringChild, mirrors: readonly MirrorChild[], opts: MirroringOptions): BuiltService {
  const health = opts.healthCheck ? requireHealth(opts.name, 'main service', main.name, main.service) : undefined;
  const mainHandler = main.service.handler;
  const list: Mirror[] = mirrors.filter((m) => m.percent > 0).map((m) => ({ handler: m.service.handler, percent: m.percent, count: 0 }));
  let total = 0;

  /** The mirrors this request goes to (Traefik's getActiveMirrors); undefined when none. */
  const activeMirrors = (): Handler[] | undefined => {
    if (++total >= RESET_AT) {
      total = 1;
      for (const m of list) m.count = 0;
    }
    let active: Handler[] | undefined;
    for (const m of list) {
      if (m.count * 100 < total * m.percent) {
        m.count++;
        (active ??= []).push(m.handler);
      }
    }
    return active;
  };

  const maxBodySize = opts.maxBodySize;
  const mirrorBody = opts.mirrorBody;
  // Nothing to mirror (no mirror, or all at 0 %): the main service's own handler, as is.
  if (list.length === 0) return { handler: mainHandler, health, dispose: noDispose };
  const handler = function mirroring(ex: Exchange) {
    const active = activeMirrors();
    if (active === undefined || ex.upgrade !== null) return mainHandler(ex);
    const copy = new RequestCopy(ex);
    const body = ex.body;
    if (body === null || !mirrorBody) {
      try {
        return mainHandler(ex);
      } finally {
        // Also when the main service threw its answer (no server): Traefik mirrors after it too.
        sendMirrors(active, copy, null, body !== null);
      }
    }
    const declared = declaredLength(ex);
    // Known to be too large: not mirrored, and the body is left alone.
    if (maxBodySize >= 0 && declared !== undefined && declared > maxBodySize) return mainHandler(ex);
    ex.body = teeBody(body, maxBodySize, (chunks) => {
      if (chunks !== null) sendMirrors(active, copy, chunks, true);
    });
    return mainHandler(ex);
  };

  return { handler, health, dispose: noDispose };
}

function sendMirrors(handlers: readonly Handler[], copy: RequestCopy, chunks: readonly Buffer[] | null, hadBody: boolean): void {
  for (const h of handlers) {
    const body = chunks === null || chunks.length === 0 ? null : replayBody(chunks);
    const ex = new MirrorExchange(copy, body, hadBody && chunks === null, new DiscardingWriter());
    try {
      const r = h(ex);
      if (r !== undefined) r.catch(ignore);
    } catch {
      // A mirror that fails (no server, bad request) changes nothing for the client.
    }
  }
}

/** Content-Length when the request declares one (and is not chunked). */
function declaredLength(ex: Exchange): number | undefined {
  if (ex.headers.has('transfer-encoding')) return undefined;
  const v = ex.headers.get('content-length');
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function ignore(): void {}
