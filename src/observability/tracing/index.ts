/**
 * Entry of the tracing part, imported by load.ts only when the static configuration has `tracing`
 * (so OpenTelemetry is never loaded otherwise). One tracer provider per process: each cluster
 * worker exports its own spans.
 */
import { readFileSync } from 'node:fs';
import type { ObservabilityPart } from '../core.js';
import type { ObservabilityContext } from '../load.js';
import { createBackend } from './provider.js';
import { TracingPart } from './part.js';

export { TracingPart } from './part.js';

function turnpikeVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The tracing part for this process, or none when `tracing` is not configured. */
export function createTracingParts(ctx: ObservabilityContext): ObservabilityPart[] {
  const cfg = ctx.config.tracing;
  if (!cfg) return [];
  const backend = createBackend(cfg, ctx.logger, turnpikeVersion());
  return [new TracingPart(cfg, backend.tracer, () => backend.close())];
}
