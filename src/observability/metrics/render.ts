/**
 * Prometheus text from metric families: prom-client's AggregatorRegistry.aggregate sums the parts
 * (one per worker, plus the primary's own) family by family, each with its `aggregator` (sum for
 * counters, histograms and connections; max for timestamps and servers up), and renders them.
 * prom-client is loaded on the first scrape, never when Prometheus is not configured.
 */
import type { MetricFamily } from './families.js';

/** Content-Type of the text exposition format (Prometheus 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function renderFamilies(parts: readonly (readonly MetricFamily[])[]): Promise<string> {
  const { AggregatorRegistry } = await import('prom-client');
  const registry = AggregatorRegistry.aggregate(parts.map((p) => [...p]));
  return registry.metrics();
}
