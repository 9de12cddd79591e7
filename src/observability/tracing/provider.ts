/**
 * The OpenTelemetry SDK side: one BasicTracerProvider per process with a BatchSpanProcessor and
 * the configured OTLP exporter (HTTP with JSON bodies, or gRPC), the resource (service.name,
 * service.version, host, process, SDK and the configured resourceAttributes), and the sampler
 * Traefik uses: parent-based, TraceIdRatioBased(sampleRate) for new traces.
 *
 * Nothing is registered globally (no global tracer provider, context manager or propagator): the
 * data path passes contexts explicitly.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { diag, DiagLogLevel, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as HttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpGrpcConfig, OtlpHttpConfig, OtlpTlsConfig, TracingConfig } from '../../config/static/sections/tracing.js';
import type { Logger } from '../logger.js';

/** Instrumentation scope of every span. */
export const TRACER_NAME = 'github.com/traefik/traefik';
/** How long close() waits for the last spans to be exported. */
const SHUTDOWN_BOUND_MS = 5_000;

export interface TracingBackend {
  readonly tracer: Tracer;
  /** Export what is buffered and stop (bounded). */
  close(): Promise<void>;
}

/** A file path or PEM text (Traefik's ClientTLS accepts both). */
function pemOrFile(value: string | undefined): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    if (statSync(value).isFile()) return readFileSync(value);
  } catch {
    // not a file: taken as PEM text, which the TLS layer will reject if it is not
  }
  return Buffer.from(value);
}

function httpExporter(cfg: OtlpHttpConfig): SpanExporter {
  const tls: OtlpTlsConfig | undefined = cfg.tls;
  const ca = pemOrFile(tls?.ca);
  const cert = pemOrFile(tls?.cert);
  const key = pemOrFile(tls?.key);
  return new HttpExporter({
    url: cfg.endpoint,
    headers: { ...cfg.headers },
    ...(tls
      ? {
          httpAgentOptions: {
            keepAlive: true,
            rejectUnauthorized: !tls.insecureSkipVerify,
            ...(ca ? { ca } : {}),
            ...(cert ? { cert } : {}),
            ...(key ? { key } : {}),
          },
        }
      : {}),
  });
}

function grpcExporter(cfg: OtlpGrpcConfig): SpanExporter {
  // Loaded here, only for a gRPC exporter (the HTTP one never needs it): the exporter's own
  // dependency, used for what its helpers do not offer (insecureSkipVerify).
  const grpc = createRequire(import.meta.url)('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const tls = cfg.tls;
  // Traefik: `insecure` = plain text; otherwise TLS, with the configured CA / client certificate.
  const endpoint = /^[a-z][a-z0-9+.-]*:\/\//i.test(cfg.endpoint) ? cfg.endpoint : `${cfg.insecure ? 'http' : 'https'}://${cfg.endpoint}`;
  const credentials = cfg.insecure
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(pemOrFile(tls?.ca) ?? null, pemOrFile(tls?.key) ?? null, pemOrFile(tls?.cert) ?? null, { rejectUnauthorized: tls?.insecureSkipVerify !== true });
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(cfg.headers)) metadata.set(k, v);
  return new GrpcExporter({ url: endpoint, credentials, metadata });
}

/** Routes the SDK's own diagnostics (export failures) to the process log. */
function routeDiagnostics(logger: Logger): void {
  diag.setLogger(
    {
      error: (message: string, ...args: unknown[]) => logger.warn({ detail: args.map(String).join(' ') }, `tracing: ${message}`),
      warn: (message: string, ...args: unknown[]) => logger.warn({ detail: args.map(String).join(' ') }, `tracing: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}

/** Builds the provider and its exporter. `version` is Turnpike's (service.version). */
export function createBackend(cfg: TracingConfig, logger: Logger, version: string): TracingBackend {
  routeDiagnostics(logger);
  const exporter = cfg.otlp.grpc ? grpcExporter(cfg.otlp.grpc) : httpExporter(cfg.otlp.http);
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': cfg.serviceName,
      'service.version': version,
      'host.name': hostname(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      ...cfg.resourceAttributes,
    }),
  );
  const provider = new BasicTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(cfg.sampleRate) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    async close(): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_BOUND_MS);
        timer.unref();
      });
      try {
        await Promise.race([provider.shutdown().catch((err: unknown) => logger.warn({ err }, 'tracing: could not export the last spans')), bound]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
