/**
 * The scenarios the tables are split into: protocol x body size. HTTP/1.1 runs wrk in the clear
 * and over TLS; HTTP/2 runs h2load over TLS. Every proxy forwards over HTTP/1.1 keep-alive either way.
 */
import { BIG_BODY_BYTES, BODY_PATHS, UPSTREAM_BODY, type BodySize } from './constants.js';
import type { BenchOptions } from './options.js';
import type { Protocol } from './targets.js';

export interface Scenario {
  /** `h1-small`, `h1-16k`, `h2-small`, `h2-16k`. */
  readonly id: string;
  readonly protocol: Protocol;
  readonly body: BodySize;
  /** The request path the load generator asks for. */
  readonly path: string;
  readonly title: string;
}

const BODY_TEXT: Readonly<Record<BodySize, string>> = {
  small: `${UPSTREAM_BODY.length}-byte body`,
  '16k': `${BIG_BODY_BYTES / 1024} KiB body`,
};

export function scenario(protocol: Protocol, body: BodySize): Scenario {
  const path = BODY_PATHS[body];
  const proto = protocol === 'h1' ? 'HTTP/1.1 (wrk)' : protocol === 'h1s' ? 'HTTPS: HTTP/1.1 over TLS (wrk)' : 'HTTP/2 over TLS (h2load)';
  return { id: `${protocol}-${body}`, protocol, body, path, title: `${proto}, ${BODY_TEXT[body]}, GET ${path}` };
}

/**
 * The scenarios of a run, in print order; `tls`: whether the TLS ones (HTTPS/1.1 and HTTP/2, with
 * the `--h2-body` sizes) are wanted at all.
 */
export function scenarios(opts: Pick<BenchOptions, 'bodies' | 'h2Bodies'>, tls: boolean): Scenario[] {
  const out = opts.bodies.map((b) => scenario('h1', b));
  if (tls) {
    out.push(...opts.h2Bodies.map((b) => scenario('h1s', b)));
    out.push(...opts.h2Bodies.map((b) => scenario('h2', b)));
  }
  return out;
}
