/**
 * The spans of one sampled request, kept in `RequestRecord.trace` (it exposes the entry point
 * span's ids to the access log as TraceIds).
 *
 * Spans nest by position in the router's chain, not by call order: the router is depth 0, its
 * middlewares 1..n, the service n+1, and each wrapper takes as parent the span one level up. So a
 * middleware that calls the rest of the chain later (forwardAuth after its auth call, retry for its
 * next attempt) still gets its children right. Entering a depth again (a retry) first ends the
 * spans of the previous pass from that depth down. Everything still open ends when the exchange
 * finishes: the data path is asynchronous, a handler returning is not the end of its work.
 */
import { trace, type Context, type Span, type SpanStatus } from '@opentelemetry/api';
import type { TraceIds } from '../request-record.js';

export class TraceState implements TraceIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly entry: Span;
  /** ctx[d] = the parent context for a span at depth d (ctx[0]: the entry point span). */
  readonly ctx: Context[];
  /** Open spans by depth. */
  readonly spans: (Span | undefined)[] = [];
  /** Parent of the upstream CLIENT spans: the `Service` span. */
  serviceCtx: Context | undefined = undefined;
  /** The upstream attempt in flight (its CLIENT span), ended when its answer's head is seen. */
  client: Span | null = null;

  constructor(entry: Span, entryCtx: Context) {
    const sc = entry.spanContext();
    this.traceId = sc.traceId;
    this.spanId = sc.spanId;
    this.entry = entry;
    this.ctx = [entryCtx];
  }

  /** The context a span at `depth` starts under; re-entering ends the previous pass's spans. */
  parentFor(depth: number): Context {
    if (this.spans.length > depth) this.endFrom(depth);
    return this.ctx[Math.min(depth, this.ctx.length - 1)] as Context;
  }

  /** Records `span` as open at `depth`; returns the context its children start under. */
  opened(depth: number, parent: Context, span: Span): Context {
    const ctx = trace.setSpan(parent, span);
    this.spans[depth] = span;
    this.ctx[depth + 1] = ctx;
    return ctx;
  }

  /** Ends the current upstream attempt's span (no answer was seen: `status` may say why). */
  endClient(status?: SpanStatus): void {
    const c = this.client;
    if (c === null) return;
    if (status !== undefined) c.setStatus(status);
    c.end();
    this.client = null;
  }

  /** Ends the open spans at `depth` and below (deepest first), and the upstream attempt's. */
  endFrom(depth: number): void {
    this.endClient();
    for (let d = this.spans.length - 1; d >= depth; d--) this.spans[d]?.end();
    this.spans.length = depth;
    this.ctx.length = depth + 1;
  }
}
