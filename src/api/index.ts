/**
 * The API part of a data-path process (static `api`): the internal services `api@internal` and
 * `dashboard@internal`, the router Traefik adds for `api.insecure` (entry point `traefik`,
 * `PathPrefix(/api) || PathPrefix(/dashboard)`, priority MaxInt), and the configuration history fed
 * by the runtime's apply reports. Loaded (dynamic import) only when `api` is configured; without
 * `insecure` nothing is exposed until a router names `api@internal`.
 */
import type { StaticConfig } from '../config/static/types.js';
import type { Logger } from '../observability/logger.js';
import type { CompileDeps, CompiledGraph, InternalObjects, InternalRouter } from '../runtime/compile.js';
import { logApplied, type ApplySummary } from '../runtime/runtime.js';
import { ApiHandler } from './handler.js';
import { ConfigHistory } from './history.js';

/** Traefik gives its internal routers MaxInt. */
const INTERNAL_PRIORITY = Number.MAX_SAFE_INTEGER;

/** What the API reads of the data path it is attached to. */
export interface ApiHost {
  readonly runtime: { readonly current: CompiledGraph | undefined };
}

export interface ApiPart {
  readonly internals: InternalObjects;
  readonly history: ConfigHistory;
  /**
   * The runtime's report hook: records each apply in the history, then hands the summary on to
   * `next` (a worker's report to the primary) or logs it as the runtime would.
   */
  reporter(next: ((s: ApplySummary) => void) | undefined, logger: Logger): (s: ApplySummary) => void;
  /** `deps` with the API's internal services and router added (to the metrics' ones, if any). */
  withInternals(deps: CompileDeps): CompileDeps;
  /** Called once the data path exists: the API then answers from its runtime's current graph. */
  attach(host: ApiHost): void;
}

/** The API's router for `api.insecure` (exported for tests and docs). */
export function insecureRouter(config: StaticConfig): InternalRouter | undefined {
  const api = config.api;
  if (!api?.insecure) return undefined;
  const base = api.basePath;
  const prefixes = [`${base}api`, ...(api.dashboard ? [`${base}dashboard`] : []), ...(api.debug ? [`${base}debug`] : [])];
  return {
    name: 'api@internal',
    entryPoint: 'traefik',
    // With the dashboard, Traefik's insecure routers also take `<basePath>` itself (redirected to the dashboard).
    rule: [...prefixes.map((p) => 'PathPrefix(`' + p + '`)'), ...(api.dashboard ? ['Path(`' + base + '`)'] : [])].join(' || '),
    priority: INTERNAL_PRIORITY,
    service: 'api@internal',
  };
}

/** The API part for `config`, or undefined when `api` is not configured. */
export function createApi(config: StaticConfig, now: () => Date = () => new Date()): ApiPart | undefined {
  if (!config.api) return undefined;
  const history = new ConfigHistory(now);
  let host: ApiHost | undefined;
  const handler = new ApiHandler({ config, history, startDate: now().toISOString(), graph: () => host?.runtime.current });
  const services = new Map([['api@internal', handler.handle]]);
  if (config.api.dashboard) services.set('dashboard@internal', handler.handle);
  const router = insecureRouter(config);
  const part: ApiPart = {
    internals: { services, routers: router ? [router] : [] },
    history,
    withInternals: (deps) => withApiInternals(deps, part),
    reporter(next, logger) {
      return (summary) => {
        try {
          history.record(summary, host?.runtime.current?.view);
        } catch (err) {
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'configuration history failed');
        }
        if (next) next(summary);
        else logApplied(logger, summary);
      };
    },
    attach(h) {
      host = h;
    },
  };
  return part;
}

/** `deps` with the API's internal services and router added to those already there (metrics). */
export function withApiInternals(deps: CompileDeps, api: ApiPart | undefined): CompileDeps {
  if (api === undefined) return deps;
  const services = new Map(deps.internals?.services ?? []);
  for (const [k, v] of api.internals.services) services.set(k, v);
  return { ...deps, internals: { services, routers: [...(deps.internals?.routers ?? []), ...api.internals.routers] } };
}
