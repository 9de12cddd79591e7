/**
 * The loadBalancer service when it has sticky sessions and/or health checks (active or passive).
 * A service with none of them uses the lean handlers of load-balancer.ts instead.
 *
 * - Servers out of rotation are skipped by rebuilding the round robin from the servers up each
 *   time a server's state changes (rare); the request path only reads the current one.
 * - Sticky: a request whose cookie names a server that is up goes to it (a legacy cookie value is
 *   rewritten); otherwise the round robin picks and the cookie is (re)written.
 * - Passive checks: each server gets its own forwarder whose error handler knows the server, and
 *   a head hook of its own (built once) judging the status of its answers, so results are charged
 *   to the right server with no allocation per request. The hook sees the head as it goes out: a
 *   middleware between the router and the service that rewrites the status (errors) changes what
 *   is judged; retry drops the hooks of attempts it retries, whose failures onError counts.
 * - No server up: 503 `no available server`.
 */
import type { LoadBalancerConfig } from '../../config/dynamic/types.js';
import type { Exchange, Handler, HeadHook } from '../../exchange/exchange.js';
import { writeProxyError, type ForwardErrorHandler } from '../../proxy/errors.js';
import type { Forwarder } from '../../proxy/forwarder.js';
import type { ServerTarget } from '../../proxy/server-target.js';
import type { ResolvedTransport } from '../../proxy/transport.js';
import { attemptWatcher } from '../../proxy/upstream-attempts.js';
import type { BuiltService } from '../service.js';
import { startActiveHealthChecks } from './health-check.js';
import { isServerFailure, PassiveHealth } from './passive-health.js';
import { DOWN_ACTIVE, DOWN_PASSIVE, ServerSetHealth, type HealthMember, type LoadBalancerHealth } from './server-health.js';
import { forwarderFor, noAvailableServer, type ForwarderDeps } from './shared.js';
import { StickyCookie, StickyIndex } from './sticky.js';
import { SmoothWeightedRoundRobin } from './wrr.js';

/** A load balancer service; `health` is set when it has active or passive health checks. */
export interface LoadBalancerService extends BuiltService {
  readonly health: LoadBalancerHealth | undefined;
}

interface Member extends HealthMember {
  readonly target: ServerTarget;
  forward: Forwarder;
  /** Passive checks: judges the status of each answer of this server (undefined = no passive check). */
  onHead: HeadHook | undefined;
  /** True while this server's error answer is being written (already counted). */
  errorAnswer: boolean;
}

export interface TrackedDeps extends ForwarderDeps {
  /** Qualified service name (for the default sticky cookie name). */
  readonly serviceName: string;
}

export function createTrackedBalancer(
  cfg: LoadBalancerConfig,
  deps: TrackedDeps,
  transport: ResolvedTransport,
  servers: readonly { readonly target: ServerTarget; readonly weight: number }[],
): LoadBalancerService {
  const shared = forwarderFor(deps, transport, cfg.passHostHeader, cfg.flushInterval);
  const members: Member[] = servers.map((s) => ({ url: s.target.url, weight: s.weight, target: s.target, up: true, forward: shared, onHead: undefined, errorAnswer: false }));
  const state = { wrr: roundRobinOf(members) };

  const tracked = cfg.healthCheck !== undefined || cfg.passiveHealthCheck !== undefined;
  const health = tracked
    ? new ServerSetHealth(members, (up) => {
        state.wrr = roundRobinOf(up);
      })
    : undefined;

  let passive: PassiveHealth<Member> | undefined;
  if (cfg.passiveHealthCheck !== undefined && health !== undefined) {
    // With an active check, a server the passive check took out comes back on the next good probe
    // (Traefik): both share the active reason. Without one, it comes back after failureWindow.
    const reason = cfg.healthCheck === undefined ? DOWN_PASSIVE : DOWN_ACTIVE;
    const p = new PassiveHealth<Member>(cfg.passiveHealthCheck, (m, down) => health.set(m, reason, down), {
      recover: cfg.healthCheck === undefined,
    });
    passive = p;
    const report = deps.onError ?? writeProxyError;
    for (const m of members) {
      // The answer's status, as it goes out: >= 500 is a failed attempt, anything else a success.
      // An error answer written by `report` below was counted already (errorAnswer).
      m.onHead = (status: number): void => {
        if (m.errorAnswer) return;
        if (status >= 500) p.failed(m);
        else p.succeeded(m);
      };
      const onError: ForwardErrorHandler = (ex, err) => {
        if (ex.response.headersSent) {
          report(ex, err); // the status was judged when the head went out
          return;
        }
        if (isServerFailure(err)) p.failed(m);
        m.errorAnswer = true;
        try {
          report(ex, err);
        } finally {
          m.errorAnswer = false;
        }
      };
      m.forward = forwarderFor({ ...deps, onError }, transport, cfg.passHostHeader, cfg.flushInterval);
    }
  }

  const active =
    cfg.healthCheck !== undefined && health !== undefined
      ? startActiveHealthChecks(cfg.healthCheck, transport, members, (m, up) => health.set(m, DOWN_ACTIVE, !up))
      : undefined;

  const handler =
    cfg.sticky === undefined
      ? healthOnly(state)
      : sticky(state, new StickyCookie(cfg.sticky.cookie, deps.serviceName), new StickyIndex(members.filter((m) => m.weight > 0).map((m) => [m.url, m] as const)));

  let disposed = false;
  return {
    handler,
    health,
    dispose(): void {
      if (disposed) return;
      disposed = true;
      active?.stop();
      passive?.dispose();
      health?.dispose();
    },
  };
}

function roundRobinOf(members: readonly Member[]): SmoothWeightedRoundRobin<Member> {
  return new SmoothWeightedRoundRobin(members.map((m) => ({ value: m, weight: m.weight })));
}

/** The next server in rotation (an untried one for a retried exchange); throws NO_SERVER. */
function pick(state: { wrr: SmoothWeightedRoundRobin<Member> }, ex: Exchange): Member {
  const wrr = state.wrr;
  const first = wrr.next();
  if (first === undefined) throw noAvailableServer();
  const attempts = attemptWatcher(ex);
  if (attempts === undefined) return first;
  let m = first;
  for (let turns = wrr.size * 4; turns > 0 && attempts.picked.includes(m); turns--) m = wrr.next() as Member;
  attempts.picked.push(m);
  return m;
}

function healthOnly(state: { wrr: SmoothWeightedRoundRobin<Member> }): Handler {
  return function loadBalancer(ex: Exchange): void {
    const m = pick(state, ex);
    if (m.onHead !== undefined) ex.response.onHead(m.onHead);
    m.forward(ex, m.target);
  };
}

function sticky(state: { wrr: SmoothWeightedRoundRobin<Member> }, cookie: StickyCookie, index: StickyIndex<Member>): Handler {
  return function stickyLoadBalancer(ex: Exchange): void {
    const value = cookie.lookup(ex);
    if (value !== undefined) {
      const hit = index.find(value);
      if (hit !== undefined && hit.up) {
        const current = index.valueOf(hit);
        if (value !== current) cookie.write(ex, current);
        if (hit.onHead !== undefined) ex.response.onHead(hit.onHead);
        hit.forward(ex, hit.target);
        return;
      }
    }
    const m = pick(state, ex);
    cookie.write(ex, index.valueOf(m));
    if (m.onHead !== undefined) ex.response.onHead(m.onHead);
    m.forward(ex, m.target);
  };
}
