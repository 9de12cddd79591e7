/**
 * The overview's counts (`/api/overview`): per protocol and kind, the total and how many are
 * fine (Traefik's "success"), in warning and in error (disabled). Pure: tested in node.
 */
import { isJsonObject, num, obj, type JsonObject } from './request-path.js';
import { kindsOf, type Kind, type Protocol } from './route.js';

export interface Counts {
  readonly total: number;
  readonly success: number;
  readonly warnings: number;
  readonly errors: number;
}

/** The counts of one kind (all zero when the API left the section out). */
export function countsOf(overview: unknown, protocol: Protocol, kind: Kind): Counts {
  const section = isJsonObject(overview) ? obj(obj(overview, protocol), kind) : undefined;
  const total = num(section, 'total') ?? 0;
  const warnings = num(section, 'warnings') ?? 0;
  const errors = num(section, 'errors') ?? 0;
  return { total, success: Math.max(0, total - warnings - errors), warnings, errors };
}

/** Every (protocol, kind) the overview shows, in order. */
export function overviewCells(overview: unknown): { protocol: Protocol; kind: Kind; counts: Counts }[] {
  const out: { protocol: Protocol; kind: Kind; counts: Counts }[] = [];
  for (const protocol of ['http', 'tcp', 'udp'] as const) for (const kind of kindsOf(protocol)) out.push({ protocol, kind, counts: countsOf(overview, protocol, kind) });
  return out;
}

/** The features line: `{tracing: "OTLP", metrics: "", accessLog: true}` -> rows with on/off. */
export function featuresOf(overview: unknown): { name: string; value: string; on: boolean }[] {
  const f: JsonObject | undefined = isJsonObject(overview) ? obj(overview, 'features') : undefined;
  if (f === undefined) return [];
  return Object.entries(f).map(([name, v]) => {
    const on = typeof v === 'string' ? v !== '' : v === true;
    const value = typeof v === 'string' ? (v === '' ? 'off' : v) : v === true ? 'on' : 'off';
    return { name, value, on };
  });
}
