/**
 * ipAllowList (and the deprecated ipWhiteList, read into the same options): lets a request through
 * only when its client IP, as `ipStrategy` picks it, lies in `sourceRange`; any other request (also
 * one whose strategy finds no IP, e.g. X-Forwarded-For too short for `depth`) gets
 * `rejectStatusCode` (403 by default) with Go's status text as body. As Traefik's checker does, a
 * picked value of the form `host:port` or `[v6]:port` is reduced to its host first.
 */
import type { IpAllowListOptions } from '../../config/dynamic/schema/middlewares/ip-allow-list.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import { IpSet } from '../../net/ip.js';
import { createIpStrategy } from '../ip-strategy/ip-strategy.js';
import type { MiddlewareFactory } from '../registry.js';
import { StatusAnswer } from '../../exchange/status-text.js';

/** Go's net.SplitHostPort host part when `addr` has a port, else `addr` itself. */
export function hostOf(addr: string): string {
  if (addr.charCodeAt(0) === 91 /* [ */) {
    const close = addr.indexOf(']');
    return close > 0 && addr.charCodeAt(close + 1) === 58 /* : */ ? addr.slice(1, close) : addr;
  }
  const colon = addr.indexOf(':');
  return colon >= 0 && addr.indexOf(':', colon + 1) < 0 ? addr.slice(0, colon) : addr;
}

export const ipAllowList: MiddlewareFactory<'ipAllowList'> = {
  kind: 'ipAllowList',
  create(options: IpAllowListOptions): Middleware {
    const allowed = new IpSet(options.sourceRange);
    const pick = createIpStrategy(options.ipStrategy);
    const reject = new StatusAnswer(options.rejectStatusCode);
    return (next: Handler): Handler =>
      function ipAllowListHandler(ex: Exchange) {
        if (allowed.has(hostOf(pick(ex)))) return next(ex);
        reject.send(ex.response);
      };
  },
};
