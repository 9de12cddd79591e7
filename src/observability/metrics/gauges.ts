/**
 * The gauges read when a scrape or a push happens, from what the data path has now: open
 * connections per entry point, the servers' health (ServiceView.serverStatus of the current
 * configuration), the certificates of the TLS state, and the configuration reloads.
 */
import type { X509Certificate } from 'node:crypto';
import type { DataPath } from '../../runtime/workers/data-path.js';
import type { LiveGauges } from './families.js';

type Cert = LiveGauges['certificates'][number];

/** Per certificate object (they are immutable): its labels and expiry, computed once. */
const certLabels = new WeakMap<X509Certificate, Cert>();

/** Traefik's labels: Subject CN, serial in decimal, DNS SANs joined by ","; value NotAfter in Unix seconds. */
export function certificateGauge(leaf: X509Certificate): Cert {
  let c = certLabels.get(leaf);
  if (c === undefined) {
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1] ?? '';
    let serial = leaf.serialNumber;
    try {
      serial = BigInt(`0x${leaf.serialNumber}`).toString(10);
    } catch {
      // keep the hexadecimal form
    }
    const sans = (leaf.subjectAltName ?? '')
      .split(', ')
      .filter((n) => n.startsWith('DNS:'))
      .map((n) => n.slice(4))
      .join(',');
    c = { cn, serial, sans, notAfter: Math.floor(Date.parse(leaf.validTo) / 1000) };
    certLabels.set(leaf, c);
  }
  return c;
}

/** Reads the live gauges of a data path; `withReloads`: this process is the one that knows reloads. */
export function readGauges(dataPath: DataPath | undefined, withReloads: boolean, addInternals: boolean): LiveGauges {
  if (dataPath === undefined) return { openConnections: [], serversUp: [], certificates: [] };
  const openConnections = [...dataPath.entryPoints].map(([name, ep]) => ({ entrypoint: name, protocol: 'TCP', count: ep.connectionCount }));
  const serversUp: { service: string; url: string; up: number }[] = [];
  const services = dataPath.runtime.current?.view.services ?? {};
  for (const name of Object.keys(services)) {
    const status = services[name]?.serverStatus;
    if (status === undefined || (!addInternals && name.endsWith('@internal'))) continue;
    for (const [url, state] of status) serversUp.push({ service: name, url, up: state === 'UP' ? 1 : 0 });
  }
  const state = dataPath.tls.state;
  const seen = new Set<X509Certificate>();
  const certificates: Cert[] = [];
  for (const stored of [...state.store.certificates, ...(state.configuredDefault ? [state.configuredDefault] : [])]) {
    if (seen.has(stored.leaf)) continue;
    seen.add(stored.leaf);
    certificates.push(certificateGauge(stored.leaf));
  }
  const runtime = dataPath.runtime;
  return {
    openConnections,
    serversUp,
    certificates,
    ...(withReloads ? { reloads: { total: runtime.appliedCount, lastSuccessSeconds: Math.floor(runtime.lastAppliedAt / 1000) } } : {}),
  };
}
