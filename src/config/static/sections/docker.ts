/**
 * `providers.docker`: the static options of the Docker provider, in Traefik's spelling and with its
 * defaults. The schema checks each value as it is decoded (an endpoint Turnpike can dial, a
 * constraints expression and a defaultRule template that compile), so `turnpike check` and start-up
 * name the key that is wrong; `buildDocker` turns the decoded tree into the model.
 */
import type { Diagnostic } from '../../diagnostics.js';
import { formatKeyPath, type DecodeResult } from '../../paths/index.js';
import { bool, duration, section, str } from '../../paths/schema.js';
// The two compilers alone, not translate.js: every static configuration load reads this file, and the
// translation (dynamic validator, label schema) is only needed once the provider runs.
import { compileConstraints } from '../../../providers/docker/constraints.js';
import { DEFAULT_RULE_TEMPLATE, compileDefaultRule } from '../../../providers/docker/default-rule.js';
import { STATIC_CODES } from '../codes.js';
import { subtree, text, flag } from '../tree.js';

/** Traefik's default `defaultRule`. */
export const DOCKER_DEFAULT_RULE = DEFAULT_RULE_TEMPLATE;
export const DOCKER_DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';

/** `providers.docker.tls`: client certificate and CA for a TLS (tcp/https) endpoint. */
export interface DockerTlsConfig {
  /** CA certificate: a file path or PEM text; undefined = the system's CAs. */
  readonly ca: string | undefined;
  /** Client certificate (file path or PEM text), with `key`. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly insecureSkipVerify: boolean;
}

export interface DockerProviderConfig {
  /** `unix:///path`, `tcp://host:port`, `http://host:port` or `https://host:port`. */
  readonly endpoint: string;
  readonly exposedByDefault: boolean; // default true
  readonly defaultRule: string; // default DOCKER_DEFAULT_RULE
  readonly network: string; // '' = none
  readonly useBindPortIP: boolean; // default false
  readonly watch: boolean; // default true
  readonly constraints: string; // '' = none
  readonly allowEmptyServices: boolean; // default false
  /** ms, 0 = none. Bounds each request to the engine (not the event stream, which stays open). */
  readonly httpClientTimeout: number;
  /** Basic authentication for a tcp/http(s) endpoint (both must be set, as Traefik). */
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Present when `tls` is configured: the endpoint is then dialled over TLS. */
  readonly tls: DockerTlsConfig | undefined;
}

const ENDPOINT_SCHEMES = ['unix:', 'tcp:', 'http:', 'https:'];

/** Accepts the endpoints the client can dial (ssh:// and npipe:// are not supported). */
export function checkDockerEndpoint(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'a Docker endpoint like "unix:///var/run/docker.sock" or "tcp://127.0.0.1:2375"';
  }
  if (!ENDPOINT_SCHEMES.includes(url.protocol)) {
    return `a unix://, tcp://, http:// or https:// endpoint (${url.protocol.replace(/:$/, '')}:// is not supported)`;
  }
  if (url.protocol === 'unix:' ? url.pathname === '' || url.pathname === '/' : url.hostname === '') {
    return url.protocol === 'unix:' ? 'a socket path, e.g. "unix:///var/run/docker.sock"' : 'a host and port, e.g. "tcp://127.0.0.1:2375"';
  }
  return undefined;
}

/** The compiler's message without its `invalid <what> "<value>"` head (the decoder quotes the value already). */
function detail(message: string, what: string, value: string): string {
  const head = `invalid ${what} ${JSON.stringify(value)}`;
  return message.startsWith(head) ? message.slice(head.length).replace(/^[:\s]+/, '') : message;
}

function checkConstraints(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  const compiled = compileConstraints(value);
  return typeof compiled === 'string' ? `a constraints expression like Label("a","b") && !LabelRegex("c","d.*"); ${detail(compiled, 'constraints', value)}` : undefined;
}

function checkDefaultRule(value: string): string | undefined {
  const compiled = compileDefaultRule(value);
  return typeof compiled === 'string' ? `a rule template like ${DOCKER_DEFAULT_RULE}; ${detail(compiled, 'defaultRule', value)}` : undefined;
}

export const dockerSection = section(
  {
    endpoint: str({ doc: 'Docker engine endpoint: unix://, tcp://, http:// or https://', default: DOCKER_DEFAULT_ENDPOINT, check: checkDockerEndpoint }),
    exposedByDefault: bool({ doc: 'Route containers without a traefik.enable label', default: 'true' }),
    defaultRule: str({ doc: 'Rule of the router made for a container that declares none (template)', default: DOCKER_DEFAULT_RULE, check: checkDefaultRule }),
    network: str({ doc: 'Default network for container addresses (label traefik.docker.network wins)' }),
    useBindPortIP: bool({ doc: 'Use the published host IP:port of a container rather than its network address', default: 'false' }),
    watch: bool({ doc: 'Follow Docker events (false: read the containers once)', default: 'true' }),
    constraints: str({ doc: 'Expression on container labels selecting the containers to route', check: checkConstraints }),
    allowEmptyServices: bool({ doc: 'Keep services whose containers are all unhealthy or starting (they answer 503)', default: 'false' }),
    httpClientTimeout: duration({ doc: 'Timeout of each request to the Docker engine (0 = none)', default: '0s' }),
    username: str({ doc: 'Username for basic authentication on a tcp/http(s) endpoint' }),
    password: str({ doc: 'Password for basic authentication on a tcp/http(s) endpoint' }),
    tls: section(
      {
        ca: str({ doc: 'CA certificate (file or PEM) verifying the endpoint' }),
        cert: str({ doc: 'Client certificate (file or PEM)' }),
        key: str({ doc: 'Client private key (file or PEM)' }),
        insecureSkipVerify: bool({ doc: 'Do not verify the endpoint certificate', default: 'false' }),
      },
      { doc: 'Connect to the endpoint over TLS' },
    ),
  },
  { doc: 'Enable the Docker provider (routes from container labels)' },
);

/**
 * The model of `providers.docker`, or undefined when the section is absent. Cross-field problems
 * (a TLS certificate without its key) are appended to `diagnostics`.
 */
export function buildDocker(decoded: DecodeResult, diagnostics: Diagnostic[]): DockerProviderConfig | undefined {
  const providers = subtree(decoded.value, 'providers');
  if (providers === undefined || !Object.hasOwn(providers, 'docker')) return undefined;
  const tree = subtree(providers, 'docker') ?? {};
  const tlsTree = subtree(tree, 'tls');
  const tls: DockerTlsConfig | undefined =
    tlsTree === undefined && !Object.hasOwn(tree, 'tls')
      ? undefined
      : { ca: text(tlsTree, 'ca'), cert: text(tlsTree, 'cert'), key: text(tlsTree, 'key'), insecureSkipVerify: flag(tlsTree, 'insecureSkipVerify', false) };
  if (tls !== undefined && (tls.cert === undefined) !== (tls.key === undefined)) {
    const missing = tls.cert === undefined ? 'cert' : 'key';
    const path = ['providers', 'docker', 'tls', missing];
    const where = decoded.locations.get(formatKeyPath(['providers', 'docker', 'tls', missing === 'cert' ? 'key' : 'cert']));
    diagnostics.push({
      code: STATIC_CODES.required,
      severity: 'error',
      message: 'a client certificate needs both "cert" and "key"',
      ...(where ? { source: where.source } : {}),
      ...(where?.line !== undefined ? { line: where.line } : {}),
      ...(where?.column !== undefined ? { column: where.column } : {}),
      path: formatKeyPath(path),
    });
  }
  const timeout = tree['httpClientTimeout'];
  return {
    endpoint: (text(tree, 'endpoint') ?? DOCKER_DEFAULT_ENDPOINT).trim(),
    exposedByDefault: flag(tree, 'exposedByDefault', true),
    defaultRule: text(tree, 'defaultRule') ?? DOCKER_DEFAULT_RULE,
    network: text(tree, 'network') ?? '',
    useBindPortIP: flag(tree, 'useBindPortIP', false),
    watch: flag(tree, 'watch', true),
    constraints: text(tree, 'constraints') ?? '',
    allowEmptyServices: flag(tree, 'allowEmptyServices', false),
    httpClientTimeout: typeof timeout === 'number' ? timeout : 0,
    username: text(tree, 'username'),
    password: text(tree, 'password'),
    tls,
  };
}

/** `{ docker }` for StaticConfig.providers, or `{}` when the section is absent (no `docker: undefined` key). */
export function dockerProviderField(decoded: DecodeResult, diagnostics: Diagnostic[]): { readonly docker?: DockerProviderConfig } {
  const docker = buildDocker(decoded, diagnostics);
  return docker === undefined ? {} : { docker };
}
