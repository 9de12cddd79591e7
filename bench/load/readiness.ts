/**
 * Checks a started target passes before it is measured: it answers the upstream's body on `/`
 * (speaking its protocol), and passes the 16 KiB body through whole.
 */
import { BENCH_HOST, BIG_BODY_BYTES, BODY_PATHS, UPSTREAM_BODY } from './constants.js';
import { probeHttp, waitReady, type Prober, type Started } from './processes.js';
import type { Protocol, Running } from './targets.js';
import { probeH2 } from './tls.js';

export function proberFor(protocol: Protocol): Prober {
  // A TLS-started target serves both h1s and h2; its readiness is checked over HTTP/2.
  return protocol === 'h1' ? probeHttp : probeH2;
}

/** Waits until `GET /` answers the upstream's body through the target, speaking `protocol`. */
export async function waitTargetReady(proc: Started, port: number, protocol: Protocol, boundMs?: number): Promise<void> {
  await waitReady(proc, port, BENCH_HOST, UPSTREAM_BODY, boundMs, proberFor(protocol));
}

/** Throws unless `GET /16k` through the target answers 200 with the whole 16 KiB body. */
export async function checkBigBody(t: Running): Promise<void> {
  const r = await proberFor(t.protocol)(t.port, BENCH_HOST, BODY_PATHS['16k'], 5000);
  if (r.status !== 200 || r.body.length !== BIG_BODY_BYTES) {
    throw new Error(`${t.name}: GET ${BODY_PATHS['16k']} answered ${r.status} with ${r.body.length} bytes, expected 200 with ${BIG_BODY_BYTES}`);
  }
}
