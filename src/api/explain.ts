/**
 * The request explainer (`GET /api/explain`, `turnpike explain`): for a request described by its
 * URL, method, headers and client IP, which entry point takes it, which router wins and why (its
 * rule with each matcher's true/false), the routers tried before it and the matcher that failed in
 * each, the middleware chain, the service and the servers it would reach (UP/DOWN) — or for a 404
 * the nearest routers and what failed in each, plus the usual causes (a disabled router, a TLS
 * router asked over plain HTTP, a router on another entry point).
 *
 * The evaluation is the real one: the request target goes through the entry point's own target
 * preparation (prepareTarget: path normalisation, sanitizePath), the winner is what the compiled
 * graph's route table returns (RouteTable.match, the table the entry point's handler uses), and
 * the order of the routers tried is that table's order.
 */
import type { EntryPointConfig, StaticConfig } from '../config/static/types.js';
import { prepareTarget } from '../entrypoints/routing-path.js';
import { HeaderList } from '../exchange/headers.js';
import type { Handler } from '../exchange/exchange.js';
import type { MatchInput, RouteEntry } from '../rules/index.js';
import { explainRule, type RuleTrace } from '../rules/explain.js';
import type { CompiledGraph } from '../runtime/compile.js';
import { explainNotes, isRedirection, nearestRouters, type ExplainContext } from './explain-notes.js';
import { redactUrl } from './redact.js';
import { internalRouterService } from './views.js';
import { serverStatusOf, type Json, type JsonObject } from './wire.js';

export interface ExplainRequest {
  /** Absolute http:// or https:// URL. */
  readonly url: string;
  /** Default GET. */
  readonly method?: string;
  /** Request headers in order (a `Host` header overrides the URL's authority). */
  readonly headers?: readonly (readonly [string, string])[];
  /** The TCP peer's address (what ClientIP() matches); default 127.0.0.1. */
  readonly clientIP?: string;
  /** The entry point, instead of picking it by the URL's port. */
  readonly entryPoint?: string;
  /** How many routers tried before the winner are detailed (default 100). */
  readonly limit?: number;
}

/** A refusal of the question itself (bad URL, unknown entry point): the API answers 400. */
export class ExplainError extends Error {}

const DEFAULT_LIMIT = 100;

interface ParsedUrl {
  readonly scheme: 'http' | 'https';
  readonly authority: string;
  readonly port: number;
  /** Path and query as given ('' -> '/'). */
  readonly target: string;
}

function parseUrl(url: string): ParsedUrl {
  const m = /^(https?):\/\/([^/?#]*)([^#]*)$/i.exec(url.trim());
  if (m === null) throw new ExplainError(`url must be an absolute http:// or https:// URL without a fragment, got ${JSON.stringify(url)}`);
  const scheme = (m[1] as string).toLowerCase() as 'http' | 'https';
  const authority = (m[2] as string).replace(/^.*@/, '');
  if (authority === '') throw new ExplainError(`url ${JSON.stringify(url)} has no host`);
  const portMatch = /:(\d+)$/.exec(authority);
  const port = portMatch ? Number(portMatch[1]) : scheme === 'https' ? 443 : 80;
  let target = m[3] as string;
  if (target === '' || target.startsWith('?')) target = `/${target}`;
  return { scheme, authority, port, target };
}

function pickEntryPoint(config: StaticConfig, req: ExplainRequest, port: number): { ep: EntryPointConfig; chosenBy: string } {
  const eps = Object.values(config.entryPoints).filter((e) => e.protocol === 'tcp');
  if (req.entryPoint !== undefined && req.entryPoint !== '') {
    const ep = eps.find((e) => e.name === req.entryPoint);
    if (!ep) throw new ExplainError(`entry point "${req.entryPoint}" does not exist (HTTP entry points: ${eps.map((e) => e.name).join(', ')})`);
    return { ep, chosenBy: 'entryPoint parameter' };
  }
  const byPort = eps.filter((e) => e.port === port);
  const first = byPort[0];
  if (first === undefined) {
    const list = eps.map((e) => `${e.name} (${e.address})`).join(', ');
    throw new ExplainError(`no entry point listens on port ${port}; pass entryPoint= (entry points: ${list})`);
  }
  return { ep: first, chosenBy: byPort.length > 1 ? `port ${port} (first of ${byPort.map((e) => e.name).join(', ')})` : `port ${port}` };
}

function traceJson(t: RuleTrace): JsonObject {
  switch (t.kind) {
    case 'matcher':
      return { matcher: t.text, result: t.result };
    case 'not':
      return { not: traceJson(t.operand), result: t.result };
    case 'and':
    case 'or':
      return { [t.kind]: t.operands.map(traceJson), result: t.result };
  }
}

function middlewareInfo(ctx: ExplainContext, name: string, from: string): JsonObject {
  const v = ctx.graph.view.middlewares[name];
  const out: JsonObject = { name, from };
  if (v) {
    out['type'] = v.config.kind.toLowerCase();
    out['status'] = v.status;
    if (v.errors.length > 0) out['error'] = [...v.errors];
  } else out['status'] = 'missing';
  return out;
}

/** A service and what it reaches: servers with UP/DOWN, or the children of a parent. */
function serviceInfo(ctx: ExplainContext, name: string, depth = 0): JsonObject {
  const v = ctx.graph.view.services[name];
  if (v === undefined) return name.endsWith('@internal') ? { name, type: 'internal', status: 'enabled' } : { name, status: 'missing' };
  const out: JsonObject = { name, type: v.config.kind.toLowerCase(), status: v.status };
  if (v.errors.length > 0) out['error'] = [...v.errors];
  if (depth > 8) return out;
  const c = v.config;
  switch (c.kind) {
    case 'loadBalancer': {
      const status = serverStatusOf(v) ?? {};
      // serverStatusOf keys are redacted URLs (a password in a server URL never leaves).
      out['servers'] = c.loadBalancer.servers.map((s) => {
        const url = redactUrl(s.url);
        return { url, weight: s.weight, status: status[url] ?? 'DOWN' };
      });
      break;
    }
    case 'weighted':
      out['children'] = c.weighted.services.map((s) => ({ weight: s.weight, ...serviceInfo(ctx, s.name, depth + 1) }));
      break;
    case 'mirroring':
      out['children'] = [
        { role: 'main', ...serviceInfo(ctx, c.mirroring.service, depth + 1) },
        ...c.mirroring.mirrors.map((m) => ({ role: 'mirror', percent: m.percent, ...serviceInfo(ctx, m.name, depth + 1) })),
      ];
      break;
    case 'failover':
      out['children'] = [
        { role: 'main', ...serviceInfo(ctx, c.failover.service, depth + 1) },
        { role: 'fallback', ...serviceInfo(ctx, c.failover.fallback, depth + 1) },
      ];
      break;
  }
  return out;
}

function routerSummary(ctx: ExplainContext, e: RouteEntry<Handler>): JsonObject {
  const explained = explainRule(e.rule, ctx.input);
  return { name: e.name, priority: e.priority, rule: e.rule.source, failed: [...explained.failed] };
}

function winnerInfo(ctx: ExplainContext, ep: EntryPointConfig, e: RouteEntry<Handler>): { router: JsonObject; middlewares: Json[]; service: JsonObject } {
  const explained = explainRule(e.rule, ctx.input);
  const view = ctx.graph.view.routers[e.name];
  const router: JsonObject = {
    name: e.name,
    provider: view?.provider ?? 'internal',
    rule: e.rule.source,
    priority: e.priority,
    status: view?.status ?? 'enabled',
    matched: explained.result,
    trace: traceJson(explained.trace),
  };
  if (view !== undefined && view.errors.length > 0) router['error'] = [...view.errors];
  const middlewares: Json[] = [];
  const redirect = ep.http.redirections?.entryPoint;
  if (view === undefined && redirect !== undefined && isRedirection(ep, e.name)) {
    // Traefik's generated `redirect-<router>` redirectScheme middleware, in front of noop@internal.
    const port = redirect.to.startsWith(':') ? redirect.to.slice(1) : String(ctx.config.entryPoints[redirect.to]?.port ?? '');
    middlewares.push({ name: `redirect-${e.name}`, from: `entryPoint ${ep.name}`, type: 'redirectscheme', status: 'enabled' });
    router['redirect'] = { to: redirect.to, scheme: redirect.scheme, port, permanent: redirect.permanent };
  }
  if (view !== undefined) {
    for (const m of ep.http.middlewares) middlewares.push(middlewareInfo(ctx, m, `entryPoint ${ep.name}`));
    for (const m of view.config.middlewares) middlewares.push(middlewareInfo(ctx, m, 'router'));
  }
  const serviceName = view?.config.service ?? internalRouterService(e.name);
  return { router, middlewares, service: serviceInfo(ctx, serviceName) };
}

/** Explains one request against a compiled graph. Throws ExplainError for a bad question. */
export function explainRequest(graph: CompiledGraph, config: StaticConfig, req: ExplainRequest): JsonObject {
  const url = parseUrl(req.url);
  const { ep, chosenBy } = pickEntryPoint(config, req, url.port);
  const method = req.method !== undefined && req.method !== '' ? req.method : 'GET';
  const headers = new HeaderList();
  for (const [k, v] of req.headers ?? []) headers.add(k, v);
  const hostHeaders = headers.getAll('host');
  if (hostHeaders.length === 0) headers.add('Host', url.authority);
  const givenHost = hostHeaders.length > 0;
  // As the client would send it: origin-form with a Host header (absolute-form is what a forward proxy gets).
  const prepared = prepareTarget(url.target, headers.get('host'), headers.getAll('host').length, true, {
    sanitizePath: ep.http.sanitizePath ?? true,
    encodeQuerySemicolons: ep.http.encodeQuerySemicolons ?? false,
  });
  if (typeof prepared === 'number') throw new ExplainError(`the entry point would refuse this request with ${prepared} (bad target or Host header) before routing`);
  const tls = url.scheme === 'https';
  const input: MatchInput = {
    method,
    host: prepared.host,
    routingPath: prepared.routingPath,
    query: prepared.query,
    headers,
    peer: { address: req.clientIP !== undefined && req.clientIP !== '' ? req.clientIP : '127.0.0.1' },
  };
  const ctx: ExplainContext = { graph, config, input };
  const tables = graph.routeTables?.get(ep.name);
  if (tables === undefined) throw new ExplainError(`entry point "${ep.name}" has no route table yet (no configuration applied)`);
  const table = tls ? tables.tls : tables.plain;

  const winner = table.match(input);
  const entries = table.entries;
  const winnerIndex = winner === undefined ? entries.length : entries.indexOf(winner);
  const limit = req.limit !== undefined && req.limit >= 0 ? req.limit : DEFAULT_LIMIT;
  const tried: Json[] = [];
  for (let i = 0; i < winnerIndex && i < limit; i++) tried.push(routerSummary(ctx, entries[i] as RouteEntry<Handler>));

  const out: JsonObject = {
    request: {
      method,
      url: req.url,
      scheme: url.scheme,
      host: prepared.host,
      path: prepared.path,
      routingPath: prepared.routingPath,
      ...(prepared.query !== null ? { query: prepared.query } : {}),
      clientIP: input.peer.address,
      tls,
      hostFromHeader: givenHost,
    },
    entryPoint: { name: ep.name, address: ep.address, chosenBy },
    result: winner === undefined ? 'notFound' : 'routed',
    ...(winner === undefined ? { status: 404 } : {}),
    routersInTable: entries.length,
    triedBefore: tried,
    triedBeforeTotal: winnerIndex,
  };
  if (winner !== undefined) {
    const w = winnerInfo(ctx, ep, winner);
    out['router'] = w.router;
    out['middlewares'] = w.middlewares;
    out['service'] = w.service;
  } else {
    out['nearest'] = nearestRouters(ctx, table);
  }
  out['notes'] = explainNotes(ctx, ep, tls, table, winner);
  return out;
}
