/**
 * `tracing`: OpenTelemetry tracing, in Traefik v3's spelling and with its defaults. Giving `tracing`
 * alone (`--tracing=true`, `tracing: {}`) turns it on with OTLP over HTTP to
 * https://localhost:4318/v1/traces, as Traefik does; `tracing.otlp.grpc` switches the exporter to
 * gRPC (it wins when both are given, as in Traefik).
 */
import type { DecodeResult } from '../../paths/index.js';
import { bool, listOf, mapOf, num, section, str } from '../../paths/schema.js';
import { type Tree, subtree, present, text, flag } from '../tree.js';

/** Traefik's default OTLP/HTTP endpoint for traces. */
export const OTLP_HTTP_DEFAULT_ENDPOINT = 'https://localhost:4318/v1/traces';
/** Traefik's default OTLP/gRPC endpoint (host:port). */
export const OTLP_GRPC_DEFAULT_ENDPOINT = 'localhost:4317';

/** Client TLS towards the collector (Traefik's ClientTLS): each value a file path or PEM text. */
export interface OtlpTlsConfig {
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly insecureSkipVerify: boolean;
}

export interface OtlpHttpConfig {
  /** `<scheme>://<host>:<port><path>`; http:// disables TLS. */
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: OtlpTlsConfig | undefined;
}

export interface OtlpGrpcConfig {
  /** host:port (a scheme is accepted too). */
  readonly endpoint: string;
  /** Plain-text gRPC (no TLS). */
  readonly insecure: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: OtlpTlsConfig | undefined;
}

export interface TracingConfig {
  readonly serviceName: string; // default 'traefik'
  /** 0..1, default 1: the ratio of requests traced when the client sent no sampled trace context. */
  readonly sampleRate: number;
  /** Extra resource attributes (`globalAttributes`, deprecated in Traefik, are merged in first). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly capturedRequestHeaders: readonly string[];
  readonly capturedResponseHeaders: readonly string[];
  /** Query parameters whose values are kept; every other value is `REDACTED`. */
  readonly safeQueryParams: readonly string[];
  /** Trace internal routers and services (`ping@internal`...), default false. */
  readonly addInternals: boolean;
  /** Exactly one exporter: gRPC when `otlp.grpc` is given, else HTTP. */
  readonly otlp: { readonly http: OtlpHttpConfig; readonly grpc?: undefined } | { readonly grpc: OtlpGrpcConfig; readonly http?: undefined };
}

const tlsSection = section(
  {
    ca: str({ doc: 'CA certificate (file or PEM) verifying the collector' }),
    cert: str({ doc: 'Client certificate (file or PEM)' }),
    key: str({ doc: 'Client private key (file or PEM)' }),
    insecureSkipVerify: bool({ doc: 'Do not verify the collector certificate', default: 'false' }),
  },
  { doc: 'TLS towards the collector' },
);

export const tracingSection = section(
  {
    serviceName: str({ doc: 'service.name resource attribute', default: 'traefik' }),
    sampleRate: num({ doc: 'Ratio of requests traced (0.0 to 1.0); a sampled client trace context is always continued', default: '1', min: 0 }),
    resourceAttributes: mapOf(str(), { doc: 'Extra resource attributes sent with the spans', keyLabel: 'name' }),
    globalAttributes: mapOf(str(), { doc: 'Deprecated (Traefik): use resourceAttributes', keyLabel: 'name' }),
    capturedRequestHeaders: listOf(str(), { doc: 'Request headers recorded as span attributes (http.request.header.<name>)' }),
    capturedResponseHeaders: listOf(str(), { doc: 'Response headers recorded as span attributes (http.response.header.<name>)' }),
    safeQueryParams: listOf(str(), { doc: 'Query parameters not redacted in span attributes' }),
    addInternals: bool({ doc: 'Trace internal routers and services (ping@internal...)', default: 'false' }),
    otlp: section(
      {
        http: section(
          {
            endpoint: str({ doc: 'Collector URL (http:// = no TLS)', default: OTLP_HTTP_DEFAULT_ENDPOINT }),
            headers: mapOf(str(), { doc: 'Headers sent with each export', keyLabel: 'name' }),
            tls: tlsSection,
          },
          { doc: 'Export spans with OTLP over HTTP (default)' },
        ),
        grpc: section(
          {
            endpoint: str({ doc: 'Collector host:port', default: OTLP_GRPC_DEFAULT_ENDPOINT }),
            insecure: bool({ doc: 'Plain-text gRPC (no TLS)', default: 'false' }),
            headers: mapOf(str(), { doc: 'Metadata sent with each export', keyLabel: 'name' }),
            tls: tlsSection,
          },
          { doc: 'Export spans with OTLP over gRPC' },
        ),
      },
      { doc: 'OpenTelemetry exporter' },
    ),
  },
  { doc: 'Enable OpenTelemetry tracing' },
);

function strings(tree: Tree | undefined, key: string): string[] {
  const value = tree?.[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function stringMap(tree: Tree | undefined, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  const map = subtree(tree, key);
  if (map !== undefined) for (const [k, v] of Object.entries(map)) if (typeof v === 'string') out[k] = v;
  return out;
}

function tlsOf(tree: Tree | undefined): OtlpTlsConfig | undefined {
  if (!present(tree, 'tls')) return undefined;
  const t = subtree(tree, 'tls');
  return { ca: text(t, 'ca'), cert: text(t, 'cert'), key: text(t, 'key'), insecureSkipVerify: flag(t, 'insecureSkipVerify', false) };
}

/** The model of `tracing`, or undefined when the section is absent. */
export function buildTracing(decoded: DecodeResult): TracingConfig | undefined {
  const root = decoded.value;
  if (!present(root, 'tracing')) return undefined;
  const tree = subtree(root, 'tracing');
  const otlp = subtree(tree, 'otlp');
  const rate = tree?.['sampleRate'];
  let exporter: TracingConfig['otlp'];
  if (present(otlp, 'grpc')) {
    const g = subtree(otlp, 'grpc');
    exporter = {
      grpc: {
        endpoint: (text(g, 'endpoint') ?? OTLP_GRPC_DEFAULT_ENDPOINT).trim(),
        insecure: flag(g, 'insecure', false),
        headers: stringMap(g, 'headers'),
        tls: tlsOf(g),
      },
    };
  } else {
    const h = subtree(otlp, 'http');
    exporter = { http: { endpoint: (text(h, 'endpoint') ?? OTLP_HTTP_DEFAULT_ENDPOINT).trim(), headers: stringMap(h, 'headers'), tls: tlsOf(h) } };
  }
  return {
    serviceName: text(tree, 'serviceName') ?? 'traefik',
    sampleRate: typeof rate === 'number' ? Math.min(1, Math.max(0, rate)) : 1,
    resourceAttributes: { ...stringMap(tree, 'globalAttributes'), ...stringMap(tree, 'resourceAttributes') },
    capturedRequestHeaders: strings(tree, 'capturedRequestHeaders'),
    capturedResponseHeaders: strings(tree, 'capturedResponseHeaders'),
    safeQueryParams: strings(tree, 'safeQueryParams'),
    addInternals: flag(tree, 'addInternals', false),
    otlp: exporter,
  };
}

/** `{ tracing }` for StaticConfig, or `{}` when the section is absent (no `tracing: undefined` key). */
export function tracingField(decoded: DecodeResult): { readonly tracing?: TracingConfig } {
  const tracing = buildTracing(decoded);
  return tracing === undefined ? {} : { tracing };
}
