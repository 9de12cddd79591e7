/**
 * The static (install) options Turnpike implements, in Traefik's spelling, with their defaults as shown in
 * `--help`. Every source (file, flags, env) is decoded against this one schema; Traefik options missing here
 * are reported as unsupported (see traefik-keys.ts), anything else as unknown.
 */
import { parseIpBlock } from '../../net/ip.js';
import { bool, compileSchema, duration, int, listOf, mapOf, section, str, type SectionSchema } from '../paths/schema.js';
import { parseAddress } from './address.js';
import { dockerSection } from './sections/docker.js';
import { metricsSection } from './sections/metrics.js';
import { apiSection } from './sections/api.js';
import { accessLogSection } from './sections/access-log.js';
import { tracingSection } from './sections/tracing.js';

function checkAddress(value: string): string | undefined {
  const parsed = parseAddress(value);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** Accepts exactly what the entry point's IP set accepts (one parser for both). */
function checkIpOrCidr(value: string): string | undefined {
  return parseIpBlock(value.trim()) === null ? 'an IP address or a CIDR range like "10.0.0.0/8"' : undefined;
}

function checkNotEmpty(value: string): string | undefined {
  return value.trim() === '' ? 'a non-empty value' : undefined;
}

const entryPoint = section({
  address: str({ doc: 'Address to listen on: [host]:port[/tcp|/udp]', check: checkAddress }),
  asDefault: bool({ doc: 'Routers without entryPoints attach to the default entry points', default: 'false' }),
  forwardedHeaders: section({
    trustedIPs: listOf(str({ check: checkIpOrCidr }), { doc: 'IPs/CIDRs whose X-Forwarded-* headers are trusted' }),
    insecure: bool({ doc: 'Trust X-Forwarded-* headers from every client', default: 'false' }),
  }),
  transport: section({
    respondingTimeouts: section({
      readTimeout: duration({ doc: 'Time to read a whole request, body included (0 = none)', default: '60s' }),
      writeTimeout: duration({ doc: 'Time to write a whole response (0 = none)', default: '0s' }),
      idleTimeout: duration({ doc: 'Keep-alive idle time (0 = none)', default: '180s' }),
    }),
    lifeCycle: section({
      requestAcceptGraceTimeout: duration({ doc: 'Keep accepting requests this long once shutdown begins', default: '0s' }),
      graceTimeOut: duration({ doc: 'Time given to requests in flight at shutdown', default: '10s' }),
    }),
  }),
  http: section({
    redirections: section({
      entryPoint: section({
        to: str({ doc: 'Entry point name or :port to redirect to', check: checkNotEmpty }),
        scheme: str({ doc: 'Scheme of the redirection', default: 'https', check: checkNotEmpty }),
        permanent: bool({ doc: 'Permanent rather than temporary redirection', default: 'true' }),
        priority: int({ doc: 'Priority of the generated router', default: String(Number.MAX_SAFE_INTEGER - 1) }),
      }),
    }),
    middlewares: listOf(str({ check: checkNotEmpty }), { doc: 'Middlewares prepended to every router on this entry point' }),
    sanitizePath: bool({ doc: 'Clean /./, /../ and // out of request paths before routing', default: 'true' }),
    encodeQuerySemicolons: bool({ doc: 'Send ";" in queries as %3B instead of turning it into "&"', default: 'false' }),
    maxHeaderBytes: int({ doc: 'Largest request head accepted, in bytes', default: '1048576', min: 1 }),
    tls: section(
      {
        options: str({ doc: 'TLS options (tls.options.<name>) for the routers of this entry point that name none', check: checkNotEmpty }),
        certResolver: str({ doc: 'Certificate resolver for the routers of this entry point', check: checkNotEmpty }),
        domains: listOf(
          section({
            main: str({ doc: 'Main domain of the certificate' }),
            sans: listOf(str(), { doc: 'Other domains of the certificate' }),
          }),
          { doc: 'Certificate domains for the resolver' },
        ),
      },
      { doc: 'Make every router on this entry point a TLS router (true, or with these defaults)' },
    ),
  }),
  http2: section({
    maxConcurrentStreams: int({ doc: 'HTTP/2 streams a client may open at once on one connection', default: '250', min: 1 }),
  }),
});

export const STATIC_SCHEMA: SectionSchema = compileSchema(
  section({
    // Accepted and ignored on purpose: Turnpike never phones home (no version check, no usage statistics).
    global: section({
      checkNewVersion: bool({ doc: 'Accepted for compatibility; Turnpike never checks for new versions', default: 'true' }),
      sendAnonymousUsage: bool({ doc: 'Accepted for compatibility; Turnpike never sends usage data', default: 'false' }),
    }),
    workers: int({ doc: 'Processes serving requests (Turnpike option; 1 = a single process, no cluster)', default: 'the number of CPU cores', min: 1 }),
    entryPoints: mapOf(entryPoint, { doc: 'Entry points (default: http on :80)', keyLabel: 'name' }),
    providers: section({
      providersThrottleDuration: duration({ doc: 'Minimum time between two applied provider updates', default: '2s' }),
      file: section(
        {
          filename: str({ doc: 'Dynamic configuration file (or use directory)', check: checkNotEmpty }),
          directory: str({ doc: 'Directory of dynamic configuration files (or use filename)', check: checkNotEmpty }),
          watch: bool({ doc: 'Reload when the files change', default: 'true' }),
        },
        { doc: 'Enable the file provider' },
      ),
      docker: dockerSection,
    }),
    api: apiSection,
    accessLog: accessLogSection,
    tracing: tracingSection,
    metrics: metricsSection,
    ping: section(
      {
        entryPoint: str({ doc: 'Entry point serving /ping (created on :8080 when it is "traefik" and undefined)', default: 'traefik', check: checkNotEmpty }),
        manualRouting: bool({ doc: 'Do not route /ping automatically; use the ping@internal service in a router', default: 'false' }),
        terminatingStatusCode: int({ doc: 'Status /ping answers while shutting down', default: '503', min: 100 }),
      },
      { doc: 'Enable the /ping health endpoint' },
    ),
    log: section({
      level: str({ doc: 'Log level', default: 'ERROR', oneOf: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC'] }),
      format: str({ doc: 'Log format', default: 'common', oneOf: ['common', 'json'] }),
      filePath: str({ doc: 'Write logs to this file instead of stdout', check: checkNotEmpty }),
      noColor: bool({ doc: 'No colours in common-format logs', default: 'false' }),
    }),
    serversTransport: section({
      insecureSkipVerify: bool({ doc: 'Do not verify upstream TLS certificates', default: 'false' }),
      rootCAs: listOf(str({ check: checkNotEmpty }), { doc: 'Extra CA certificates (files or PEM) for upstreams' }),
      maxIdleConnsPerHost: int({ doc: 'Idle keep-alive connections kept per upstream host', default: '200', min: 0 }),
      forwardingTimeouts: section({
        dialTimeout: duration({ doc: 'Time to connect to an upstream (0 = none)', default: '30s' }),
        responseHeaderTimeout: duration({ doc: 'Time to wait for upstream response headers (0 = none)', default: '0s' }),
        idleConnTimeout: duration({ doc: 'Time an idle upstream connection is kept', default: '90s' }),
      }),
    }),
  }),
);
