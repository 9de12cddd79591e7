/**
 * Builds the observability of one data-path process from the static configuration. Each part's
 * module is imported only when its section is configured, so a Turnpike without metrics, access
 * logs or tracing loads none of their code (nor prom-client or OpenTelemetry).
 */
import type { StaticConfig } from '../config/static/types.js';
import type { Logger } from './logger.js';
import { combineParts, type Observability, type ObservabilityPart } from './core.js';

export interface ObservabilityContext {
  readonly config: StaticConfig;
  readonly logger: Logger;
  /** 'single': one process serves everything; 'worker': a cluster worker (the primary aggregates metrics). */
  readonly role: 'single' | 'worker';
}

export async function loadObservability(ctx: ObservabilityContext): Promise<Observability | undefined> {
  const parts: ObservabilityPart[] = [];
  // One line per part, each behind its own `if (ctx.config.<section>)` and a dynamic import().
  if (ctx.config.tracing) parts.push(...(await import('./tracing/index.js')).createTracingParts(ctx));
  if (ctx.config.accessLog) parts.push(...(await import('./access-log/index.js')).createAccessLogParts(ctx));
  if (ctx.config.metrics) parts.push(...(await (await import('./metrics/index.js')).createMetricsParts(ctx)));
  return combineParts(parts);
}
