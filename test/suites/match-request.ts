/** Build MatchInput values for rule tests (an Exchange-shaped subset with a real HeaderList). */
import { HeaderList } from '../../src/exchange/headers.js';
import type { MatchInput } from '../../src/rules/index.js';

export interface RequestSpec {
  method?: string;
  host?: string;
  path?: string;
  query?: string | null;
  /** Flat [name, value, ...] as on the wire. */
  headers?: string[];
  peer?: string;
}

export function makeRequest(spec: RequestSpec = {}): MatchInput {
  return {
    method: spec.method ?? 'GET',
    host: spec.host ?? 'example.com',
    routingPath: spec.path ?? '/',
    query: spec.query === undefined ? null : spec.query,
    headers: new HeaderList(spec.headers ?? []),
    peer: { address: spec.peer ?? '192.0.2.10' },
  };
}
