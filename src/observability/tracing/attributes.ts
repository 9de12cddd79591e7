/**
 * Span attributes and statuses as Traefik v3 sets them (OpenTelemetry HTTP semantic conventions):
 * the entry point's SERVER span describes the request as received, the `ReverseProxy` CLIENT span
 * the request as sent to a server. Only sampled requests get here.
 */
import { SpanStatusCode, type Attributes, type SpanStatus } from '@opentelemetry/api';
import type { Exchange } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import { joinPath, type ServerTarget } from '../../proxy/server-target.js';

/** What the attribute builders need from the configuration. */
export interface AttributeOptions {
  /** Lower-cased header names. */
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
  /** Query parameter names whose values are kept (exact, case-sensitive as in Traefik). */
  readonly safeQueryParams: ReadonlySet<string>;
}

const PROTOCOL_VERSION: Record<Exchange['httpVersion'], string> = { '1.0': '1.0', '1.1': '1.1', '2.0': '2' };

/** The query with every value Traefik would redact replaced by `REDACTED` (names kept, order kept). */
export function redactQuery(query: string, safe: ReadonlySet<string>): string {
  if (query === '') return query;
  let out = '';
  for (const pair of query.split('&')) {
    if (out !== '') out += '&';
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    out += safe.has(name) ? pair : `${rawName}=REDACTED`;
  }
  return out;
}

function requestBodySize(ex: Exchange): number {
  const length = ex.headers.get('content-length');
  if (length !== undefined) {
    const n = Number(length);
    if (Number.isSafeInteger(n) && n >= 0) return n;
  }
  return ex.body === null ? 0 : -1;
}

function captureHeaders(into: Attributes, prefix: string, names: readonly string[], headers: HeaderList): void {
  for (const name of names) {
    if (prefix === 'http.request.header.' && name === 'user-agent') continue; // already user_agent.original
    const values = headers.getAll(name);
    if (values.length > 0) into[prefix + name] = values;
  }
}

/** Attributes of the entry point's SERVER span, from the request as received (forwarded headers applied). */
export function serverAttributes(ex: Exchange, opts: AttributeOptions): Attributes {
  const a: Attributes = {
    entry_point: ex.entryPoint,
    'http.request.method': ex.method,
    'network.protocol.version': PROTOCOL_VERSION[ex.httpVersion],
    'http.request.body.size': requestBodySize(ex),
    'url.path': ex.path,
    'url.scheme': ex.headers.get('x-forwarded-proto') ?? (ex.tls !== null ? 'https' : 'http'),
    'user_agent.original': ex.headers.get('user-agent') ?? '',
    'server.address': ex.host,
    'client.address': ex.peer.address,
    'client.port': ex.peer.port,
    'network.peer.address': ex.peer.address,
    'network.peer.port': ex.peer.port,
  };
  if (ex.query !== null) a['url.query'] = redactQuery(ex.query, opts.safeQueryParams);
  if (opts.requestHeaders.length > 0) captureHeaders(a, 'http.request.header.', opts.requestHeaders, ex.headers);
  return a;
}

/** Attributes of a `ReverseProxy` CLIENT span: the request as it goes to `server`. */
export function clientAttributes(ex: Exchange, server: ServerTarget, opts: AttributeOptions): Attributes {
  const scheme = server.scheme === 'h2c' ? 'http' : server.scheme;
  const path = server.pathPrefix !== null ? joinPath(server.pathPrefix, ex.path) : ex.path;
  const query = ex.query !== null ? `?${redactQuery(ex.query, opts.safeQueryParams)}` : '';
  const hostPort = server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
  const a: Attributes = {
    'http.request.method': ex.method,
    'network.protocol.version': server.scheme === 'h2c' ? '2' : '1.1',
    'url.full': `${scheme}://${hostPort}${path}${query}`,
    'url.scheme': scheme,
    'user_agent.original': ex.headers.get('user-agent') ?? '',
    'network.peer.address': server.host,
    'network.peer.port': server.port,
    'server.address': server.host,
    'server.port': server.port,
  };
  if (opts.requestHeaders.length > 0) captureHeaders(a, 'http.request.header.', opts.requestHeaders, ex.headers);
  return a;
}

/** Adds the captured response headers (`http.response.header.<name>`). */
export function responseHeaderAttributes(headers: HeaderList, opts: AttributeOptions): Attributes {
  const a: Attributes = {};
  captureHeaders(a, 'http.response.header.', opts.responseHeaders, headers);
  return a;
}

const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };
const ERROR: SpanStatus = { code: SpanStatusCode.ERROR };

/** A SERVER span's status: errors are 5xx (and codes outside 100-599); 4xx are the client's business. */
export function serverStatus(code: number): SpanStatus {
  if (code < 100 || code >= 600) return { code: SpanStatusCode.ERROR, message: `Invalid HTTP status code ${code}` };
  return code >= 500 ? ERROR : UNSET;
}

/** A CLIENT span's status: any 4xx or 5xx answer is an error for the caller. */
export function clientStatus(code: number): SpanStatus {
  if (code < 100 || code >= 600) return { code: SpanStatusCode.ERROR, message: `Invalid HTTP status code ${code}` };
  return code >= 400 ? ERROR : UNSET;
}

