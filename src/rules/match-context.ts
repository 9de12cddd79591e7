/**
 * What compiled rules read a request through. A route table owns one context and refills it per
 * lookup (matching is synchronous), so the per-request work is: normalise the host once, parse the
 * query at most once and only if a Query matcher runs, parse the peer IP at most once and only if
 * a ClientIP matcher runs. No allocation per evaluated rule.
 */
import { canonicalHost, withoutTrailingDot, withoutTrailingDots } from './host.js';
import { MAPPED, parseIp } from '../net/ip.js';
import { parseQuery, type QueryValues } from './query.js';

/** The request fields rules look at. An Exchange satisfies this structurally. */
export interface MatchInput {
  /** Request method, verbatim. */
  readonly method: string;
  /** Host as received (absolute-form authority, else Host header), may include a port, any case. */
  readonly host: string;
  /** Path with non-reserved escapes decoded (traefik-reference §3). */
  readonly routingPath: string;
  /** Raw query without '?', or null. */
  readonly query: string | null;
  readonly headers: {
    /** First value of a header; the name is given in lower case. */
    get(lowerName: string): string | undefined;
    /** All values of a header in order; the name is given in lower case. */
    getAll(lowerName: string): string[];
  };
  /** The TCP peer (never X-Forwarded-For). */
  readonly peer: { readonly address: string };
}

const NO_HEADERS: MatchInput['headers'] = {
  get: () => undefined,
  getAll: () => [],
};

const EMPTY_INPUT: MatchInput = {
  method: '',
  host: '',
  routingPath: '',
  query: null,
  headers: NO_HEADERS,
  peer: { address: '' },
};

export class MatchContext {
  input: MatchInput = EMPTY_INPUT;
  /** Canonical host: port and IPv6 brackets stripped, trimmed, lower-cased ('' when none). */
  host = '';
  /** `host` without one trailing dot. */
  hostNoDot = '';
  /** `host` without any trailing dots (the host index key). */
  hostKey = '';
  /** Peer address words (valid when ipFamily is 4 or 6). */
  readonly ip = new Uint32Array(4);
  private query: QueryValues | undefined = undefined;
  /** -1 = not parsed yet, 0 = unparsable, 4, 6. */
  private family = -1;

  /** Prepare for evaluating rules against `input`. */
  reset(input: MatchInput): void {
    this.input = input;
    const host = canonicalHost(input.host);
    this.host = host;
    this.hostNoDot = withoutTrailingDot(host);
    this.hostKey = this.hostNoDot === host ? host : withoutTrailingDots(host);
    this.query = undefined;
    this.family = -1;
  }

  /** Drop references to the request once the lookup is over. */
  release(): void {
    this.input = EMPTY_INPUT;
    this.query = undefined;
  }

  /** Values of query key `key` (case-sensitive), parsing the query on first use. */
  queryValues(key: string): readonly string[] | undefined {
    let q = this.query;
    if (q === undefined) {
      q = parseQuery(this.input.query);
      this.query = q;
    }
    return q.get(key);
  }

  /** Peer address family (0 when unparsable), parsing the address into `ip` on first use. */
  ipFamily(): number {
    let f = this.family;
    if (f < 0) {
      const parsed = parseIp(this.input.peer.address, this.ip);
      f = parsed === MAPPED ? 4 : parsed;
      this.family = f;
    }
    return f;
  }
}
