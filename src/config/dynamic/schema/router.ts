/**
 * `http.routers.<name>`: Traefik v3 router options. The rule is only checked to be a non-empty
 * string here; the rules compiler parses it (and reports its own errors).
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { RouterConfig, TlsDomain } from '../types.js';
import {
  type Field,
  type KeyPath,
  type Scope,
  internList,
  qualifyRef,
  qualifyTlsOptionsRef,
  readBool,
  readFields,
  readInt,
  readList,
  readSection,
  readString,
  readStringList,
  requireField,
} from './fields.js';

/** Traefik's ceiling for a user priority: MaxInt64 - 1000 (the rest is reserved for internals). */
export const MAX_ROUTER_PRIORITY = 9223372036854775807n - 1000n;
const MIN_ROUTER_PRIORITY = -9223372036854775808n;

const ROUTER_KEYS = {
  supported: ['entryPoints', 'middlewares', 'service', 'rule', 'ruleSyntax', 'priority', 'tls', 'observability'],
  unsupported: ['parentRefs'],
} as const;

export function readRouter(scope: Scope, raw: unknown, path: KeyPath): RouterConfig | undefined {
  const fields = readFields(scope, raw, path, ROUTER_KEYS);
  if (fields === undefined) return undefined;

  const ruleField = requireField(scope, fields, 'rule', path, 'a rule such as Host(`example.com`)');
  const rule = readString(scope, ruleField, { nonEmpty: true });
  const serviceField = requireField(scope, fields, 'service', path, 'the name of a service');
  const provider = scope.ctx.provider;
  const written = readString(scope, serviceField, { nonEmpty: true });
  const service = written === undefined ? undefined : qualifyRef(written, provider);

  const entryPoints = readStringList(scope, fields.get('entryPoints'));
  const middlewares = internList((readStringList(scope, fields.get('middlewares')) ?? []).map((m) => qualifyRef(m, provider)));
  const priority = readInt(scope, fields.get('priority'), { min: MIN_ROUTER_PRIORITY, max: MAX_ROUTER_PRIORITY }) ?? 0;

  const syntaxField = fields.get('ruleSyntax');
  const syntax = readString(scope, syntaxField);
  if (syntaxField !== undefined && syntax !== undefined && syntax !== '' && syntax !== 'v3') {
    if (syntax === 'v2') {
      scope.error(DYNAMIC_CODES.UNSUPPORTED, syntaxField.path, `ruleSyntax "v2" (Traefik's deprecated v2 rule syntax) is not supported yet; write the rule in v3 syntax${scope.leftOut}`);
    } else {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, syntaxField.path, `expected ruleSyntax "v3" (or "v2"), got "${syntax}"${scope.leftOut}`);
    }
  }

  const tls = readRouterTls(scope, fields.get('tls'), provider);
  readObservability(scope, fields.get('observability'));

  if (!scope.ok || rule === undefined || service === undefined) return undefined;
  return {
    rule,
    entryPoints: entryPoints === undefined || entryPoints.length === 0 ? undefined : internList(entryPoints),
    middlewares,
    service,
    priority,
    tls,
  };
}

type RouterTls = NonNullable<RouterConfig['tls']>;

function readRouterTls(scope: Scope, f: Field | undefined, provider: string | undefined): RouterTls | undefined {
  const section = readSection(scope, f);
  if (section === undefined || section === false || f === undefined) return undefined;
  const fields = readFields(scope, section, f.path, { supported: ['options', 'certResolver', 'domains'] });
  if (fields === undefined) return undefined;
  const options = readString(scope, fields.get('options'));
  const certResolver = readString(scope, fields.get('certResolver'));
  const domains = readList(scope, fields.get('domains'), (value, path) => readDomain(scope, value, path));
  const tls: { -readonly [K in keyof RouterTls]: RouterTls[K] } = {};
  if (options !== undefined && options !== '') tls.options = qualifyTlsOptionsRef(options, provider);
  if (certResolver !== undefined && certResolver !== '') tls.certResolver = certResolver;
  if (domains !== undefined && domains.length > 0) tls.domains = domains;
  return tls;
}

function readDomain(scope: Scope, value: unknown, path: KeyPath): TlsDomain | undefined {
  const fields = readFields(scope, value, path, { supported: ['main', 'sans'] });
  if (fields === undefined) return undefined;
  const main = readString(scope, fields.get('main')) ?? '';
  const sans = readStringList(scope, fields.get('sans')) ?? [];
  if (!scope.ok) return undefined;
  return { main, sans };
}

/** Accepted and checked for shape; the per-router observability switches come with observability. */
function readObservability(scope: Scope, f: Field | undefined): void {
  const section = readSection(scope, f);
  if (section === undefined || section === false || f === undefined) return;
  const fields = readFields(scope, section, f.path, { supported: ['accessLogs', 'metrics', 'tracing', 'traceVerbosity'] });
  if (fields === undefined) return;
  readBool(scope, fields.get('accessLogs'));
  readBool(scope, fields.get('metrics'));
  readBool(scope, fields.get('tracing'));
  const verbosityField = fields.get('traceVerbosity');
  const verbosity = readString(scope, verbosityField);
  if (verbosityField !== undefined && verbosity !== undefined && verbosity !== 'minimal' && verbosity !== 'detailed') {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, verbosityField.path, `expected traceVerbosity "minimal" or "detailed", got "${verbosity}"${scope.leftOut}`);
  }
}
