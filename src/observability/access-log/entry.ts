/**
 * One access-log entry: Traefik's fields computed from the exchange and its RequestRecord when the
 * request is over. One Entry per access log is reused for every line (formatting is synchronous),
 * and only the kept fields are computed.
 */
import type { Exchange } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { RequestRecord } from '../request-record.js';
import { F, FIELD_COUNT, type FieldPolicy } from './fields.js';
import { rfc3339Nano } from './time-format.js';
import { goCipherName, tlsVersionName } from '../tls-names.js';

export type FieldValue = string | number | undefined;

export class Entry {
  /** Core field values by F; undefined = absent (not applicable or dropped). */
  readonly v: FieldValue[] = new Array<FieldValue>(FIELD_COUNT).fill(undefined);
  /** Wall-clock start, ms since the epoch (fractional). */
  startMs = 0;
  durationMs = 0;
  /** Header fields as flat [canonical name, value, ...] lists; filled only when headers are logged. */
  readonly request: string[] = [];
  readonly origin: string[] = [];
  readonly downstream: string[] = [];

  reset(): void {
    this.v.fill(undefined);
    this.request.length = 0;
    this.origin.length = 0;
    this.downstream.length = 0;
  }
}

/** Go's net.SplitHostPort, Traefik's "silent" way: the whole value and `-` when there is no port. */
export function splitHostPort(value: string): [string, string] {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end > 0 && value.charCodeAt(end + 1) === 58 /* : */ && value.indexOf(':', end + 2) < 0) return [value.slice(1, end), value.slice(end + 2)];
    return [value, '-'];
  }
  const colon = value.indexOf(':');
  if (colon < 0 || value.indexOf(':', colon + 1) >= 0) return [value, '-'];
  return [value.slice(0, colon), value.slice(colon + 1)];
}

/** `ip:port` as Go's RemoteAddr writes it (IPv6 in brackets). */
function remoteAddr(address: string, port: number): string {
  return address.includes(':') ? '[' + address + ']:' + port : address + ':' + port;
}

const serviceAddrs = new Map<string, string>();

/** The host[:port] of a server URL as written (Go's url.Host), cached per URL. */
export function serviceAddr(url: string): string {
  let addr = serviceAddrs.get(url);
  if (addr === undefined) {
    const start = url.indexOf('://');
    let rest = start < 0 ? url : url.slice(start + 3);
    const end = rest.search(/[/?#]/);
    if (end >= 0) rest = rest.slice(0, end);
    const at = rest.lastIndexOf('@');
    addr = at >= 0 ? rest.slice(at + 1) : rest;
    if (serviceAddrs.size < 10_000) serviceAddrs.set(url, addr);
  }
  return addr;
}

/** Go's pkix.Name.String() from Node's subject text (`C=US\nCN=x` -> `CN=x,C=US`). */
export function subjectString(subject: string): string {
  return subject.split('\n').reverse().join(',');
}

/**
 * Adds a head's logged headers to `out` (values of one name joined with ",", as Traefik does);
 * `request`: skip Host and Transfer-Encoding, which Go keeps out of the request's header map.
 */
export function collectHeaders(out: string[], headers: HeaderList, policy: FieldPolicy, request: boolean): void {
  const raw = headers.raw;
  for (let i = 0; i < raw.length; i += 2) {
    const name = policy.canonical(raw[i] as string);
    if (request && (name === 'Host' || name === 'Transfer-Encoding')) continue;
    const mode = policy.headerMode(name);
    if (mode === 'drop') continue;
    const value = mode === 'redact' ? 'REDACTED' : (raw[i + 1] as string);
    let j = 0;
    while (j < out.length && out[j] !== name) j += 2;
    if (j < out.length) {
      if (mode === 'keep') out[j + 1] += ',' + value;
    } else {
      out.push(name, value);
    }
  }
}

/** Fills `e` with the fields of a finished request that are kept and `need`ed (the line format's). */
export function fillEntry(e: Entry, ex: Exchange, rec: RequestRecord, status: number, durationMs: number, policy: FieldPolicy, need: readonly boolean[] = policy.keep): void {
  e.reset();
  const keep = need;
  const v = e.v;
  e.startMs = performance.timeOrigin + ex.startedAt;
  e.durationMs = durationMs;
  const durationNs = Math.round(durationMs * 1e6);
  if (keep[F.StartUTC]) v[F.StartUTC] = rfc3339Nano(e.startMs, true);
  if (keep[F.StartLocal]) v[F.StartLocal] = rfc3339Nano(e.startMs, false);
  if (keep[F.Duration]) v[F.Duration] = durationNs;

  const routed = ex.routerName !== undefined;
  if (routed) {
    if (keep[F.RouterName]) v[F.RouterName] = ex.routerName;
    if (keep[F.ServiceName]) v[F.ServiceName] = rec.serviceName;
    // Traefik sets the origin fields to zero as soon as a router sends to its service.
    if (keep[F.OriginDuration]) v[F.OriginDuration] = rec.originDuration >= 0 ? Math.round(rec.originDuration * 1e6) : 0;
    if (keep[F.OriginContentSize]) v[F.OriginContentSize] = rec.originContentSize;
    if (keep[F.OriginStatus]) v[F.OriginStatus] = rec.originStatus;
    const down = rec.downstreamContentSize;
    if (keep[F.GzipRatio] && down !== 0 && down !== rec.originContentSize) v[F.GzipRatio] = rec.originContentSize / down;
  }
  const url = rec.serviceUrl;
  if (url !== undefined) {
    if (keep[F.ServiceURL]) v[F.ServiceURL] = url;
    if (keep[F.ServiceAddr]) v[F.ServiceAddr] = serviceAddr(url);
  }
  if (keep[F.Overhead]) v[F.Overhead] = routed && rec.originDuration >= 0 ? durationNs - Math.round(rec.originDuration * 1e6) : durationNs;

  const peer = ex.peer;
  if (keep[F.ClientAddr]) v[F.ClientAddr] = remoteAddr(peer.address, peer.port);
  if (keep[F.ClientHost]) v[F.ClientHost] = ex.headers.get('x-forwarded-for') || peer.address;
  if (keep[F.ClientPort]) v[F.ClientPort] = String(peer.port);
  if (keep[F.ClientUsername]) v[F.ClientUsername] = rec.clientUsername ?? '-';

  const host = ex.host;
  if (host !== '') {
    if (keep[F.RequestAddr]) v[F.RequestAddr] = host;
    if (keep[F.RequestHost] || keep[F.RequestPort]) {
      const [h, p] = splitHostPort(host);
      if (keep[F.RequestHost]) v[F.RequestHost] = h;
      if (keep[F.RequestPort]) v[F.RequestPort] = p;
    }
  }
  if (keep[F.RequestMethod]) v[F.RequestMethod] = ex.method;
  if (keep[F.RequestPath]) v[F.RequestPath] = rec.requestQuery === null ? rec.requestPath : rec.requestPath + '?' + rec.requestQuery;
  if (keep[F.RequestProtocol]) v[F.RequestProtocol] = 'HTTP/' + ex.httpVersion;
  const tls = ex.tls;
  if (keep[F.RequestScheme]) v[F.RequestScheme] = tls === null ? 'http' : 'https';
  if (tls !== null) {
    if (keep[F.TLSVersion]) v[F.TLSVersion] = tlsVersionName(tls.protocol);
    if (keep[F.TLSCipher]) v[F.TLSCipher] = goCipherName(tls.cipher);
    if (keep[F.TLSClientSubject]) {
      const leaf = tls.peerCertificates?.[0];
      if (leaf !== undefined) v[F.TLSClientSubject] = subjectString(leaf.subject);
    }
  }
  if (keep[F.RequestContentSize]) v[F.RequestContentSize] = rec.requestContentSize;
  if (keep[F.RequestCount]) v[F.RequestCount] = rec.requestCount;
  if (keep[F.DownstreamStatus]) v[F.DownstreamStatus] = status;
  if (keep[F.DownstreamContentSize]) v[F.DownstreamContentSize] = rec.downstreamContentSize;
  if (keep[F.RetryAttempts]) v[F.RetryAttempts] = rec.retryAttempts;
  const trace = rec.trace;
  if (trace !== undefined) {
    if (keep[F.TraceId]) v[F.TraceId] = trace.traceId;
    if (keep[F.SpanId]) v[F.SpanId] = trace.spanId;
  }

  if (policy.anyHeader) {
    collectHeaders(e.request, ex.headers, policy, true);
    if (rec.originHeaders !== null) collectHeaders(e.origin, rec.originHeaders, policy, false);
    if (rec.downstreamHeaders !== null) collectHeaders(e.downstream, rec.downstreamHeaders, policy, false);
  }
}
