/**
 * The source of a request for rateLimit and inFlightReq (Traefik's source extractor): the client
 * IP by an ipStrategy, the first value of a request header ('' when absent), or the request host
 * as received (port included, as Go's Request.Host).
 */
import type { SourceCriterion } from '../../config/dynamic/schema/middlewares/source-criterion.js';
import type { Exchange } from '../../exchange/exchange.js';
import { createIpStrategy } from '../ip-strategy/ip-strategy.js';

export type SourceOf = (ex: Exchange) => string;

export function createSourceOf(criterion: SourceCriterion): SourceOf {
  switch (criterion.kind) {
    case 'ipStrategy':
      return createIpStrategy(criterion.ipStrategy);
    case 'requestHeaderName': {
      const lower = criterion.headerName.toLowerCase();
      return (ex) => ex.headers.get(lower) ?? '';
    }
    case 'requestHost':
      return requestHost;
  }
}

function requestHost(ex: Exchange): string {
  return ex.host;
}
