/**
 * Facts every part of the load benchmark shares (run.ts, the targets and the Node peer scripts,
 * which import nothing else from the benchmark).
 */

/** The Host every proxy routes (the middle one of Turnpike's 1,000 routers). */
export const BENCH_HOST = 'h500.test';
/** What the upstream answers on `/`; readiness checks wait for exactly this body. */
export const UPSTREAM_BODY = 'hello\n';
/** Size of the body the upstream answers on `/16k`. */
export const BIG_BODY_BYTES = 16_384;

/** The body sizes a scenario can request, and the upstream path serving each. */
export const BODY_PATHS = { small: '/', '16k': '/16k' } as const;
export type BodySize = keyof typeof BODY_PATHS;

/** True for `h500.test` and `h500.test:<port>` (no regexp, no allocation). */
export function isBenchHost(host: string | undefined): boolean {
  if (host === undefined || !host.startsWith(BENCH_HOST)) return false;
  return host.length === BENCH_HOST.length || host.charCodeAt(BENCH_HOST.length) === 58; /* ':' */
}
