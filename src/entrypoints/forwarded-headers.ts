/**
 * The entry point's forwarded-headers step, run on every request before routing
 * (traefik-reference §5):
 * 1. from a peer that is neither in `forwardedHeaders.trustedIPs` nor allowed by `insecure`,
 *    every managed X header (and its underscore spelling) is removed;
 * 2. X-Real-Ip, X-Forwarded-Proto, X-Forwarded-Port and X-Forwarded-Host are set when absent,
 *    several X-Forwarded-For lines are joined into one, X-Forwarded-Server is always set;
 * 3. headers named in `Connection` are removed (managed X headers excepted), then `Connection`
 *    itself, unless the request is an upgrade (`Connection: Upgrade` and `Upgrade` are kept).
 * Appending the peer to X-Forwarded-For is the forwarder's job, not this one's.
 */
import type { Exchange } from '../exchange/exchange.js';
import { type HeaderList, equalsLower } from '../exchange/headers.js';
import { IpSet } from '../net/ip.js';

/** The X headers Traefik manages, lower case. */
const MANAGED = [
  'x-forwarded-proto',
  'x-forwarded-scheme',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-forwarded-uri',
  'x-forwarded-method',
  'x-forwarded-prefix',
  'x-forwarded-tls-client-cert',
  'x-forwarded-tls-client-cert-info',
  'x-scheme',
  'x-real-ip',
];
/** Managed names plus their underscore spellings (`x_forwarded_for`), which some servers read too. */
const MANAGED_ALL = MANAGED.concat(MANAGED.map((n) => n.replaceAll('-', '_')));

function isManaged(name: string): boolean {
  if ((name.charCodeAt(0) | 0x20) !== 120 /* x */) return false;
  for (const m of MANAGED_ALL) if (equalsLower(name, m)) return true;
  return false;
}

/** Case-insensitive, comma-separated token search (`Connection: keep-alive, Upgrade`). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end < 0) end = value.length;
    if (equalsLower(value.slice(start, end).trim(), token)) return true;
    start = end + 1;
  }
  return false;
}

/** Port of a `host[:port]` / `[v6][:port]` value, or '' when it has none. */
export function hostPort(host: string): string {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    if (close < 0 || host.charCodeAt(close + 1) !== 58) return '';
    return host.slice(close + 2);
  }
  const colon = host.indexOf(':');
  if (colon < 0 || host.indexOf(':', colon + 1) >= 0) return '';
  return host.slice(colon + 1);
}

export interface ForwardedHeadersOptions {
  readonly trustedIPs: readonly string[];
  readonly insecure: boolean;
  /** Value of X-Forwarded-Server (the OS host name). */
  readonly hostname: string;
}

export class ForwardedHeaders {
  readonly #trusted: IpSet;
  readonly #insecure: boolean;
  readonly #hostname: string;

  /** Throws when a trusted IP entry is invalid. */
  constructor(opts: ForwardedHeadersOptions) {
    this.#trusted = new IpSet(opts.trustedIPs);
    this.#insecure = opts.insecure;
    this.#hostname = opts.hostname;
  }

  /** Whether X headers from `address` are kept. */
  trusts(address: string): boolean {
    return this.#insecure || (this.#trusted.size > 0 && this.#trusted.has(address));
  }

  /** Apply the three steps to `ex.headers` (in place). `tls`: the connection is TLS. */
  apply(ex: Pick<Exchange, 'headers' | 'peer' | 'host'>, tls: boolean): void {
    const h = ex.headers;
    if (!this.trusts(ex.peer.address)) stripManaged(h);

    // `put` replaces an empty value in place or appends (no lower-casing, unlike HeaderList.set).
    if (ex.peer.address !== '' && !nonEmpty(h, 'x-real-ip')) put(h, 'x-real-ip', 'X-Real-Ip', ex.peer.address);
    let proto = h.get('x-forwarded-proto');
    if (proto === undefined || proto === '') {
      const ws = hasToken(h.get('connection'), 'upgrade') && hasToken(h.get('upgrade'), 'websocket');
      proto = ws ? (tls ? 'wss' : 'ws') : tls ? 'https' : 'http';
      put(h, 'x-forwarded-proto', 'X-Forwarded-Proto', proto);
    }
    if (!nonEmpty(h, 'x-forwarded-port')) {
      let port = hostPort(ex.host);
      if (port === '') port = proto === 'https' || proto === 'wss' || tls ? '443' : '80';
      put(h, 'x-forwarded-port', 'X-Forwarded-Port', port);
    }
    if (ex.host !== '' && !nonEmpty(h, 'x-forwarded-host')) put(h, 'x-forwarded-host', 'X-Forwarded-Host', ex.host);
    const xff = h.getAll('x-forwarded-for');
    if (xff.length > 1) h.set('X-Forwarded-For', xff.join(', '));
    put(h, 'x-forwarded-server', 'X-Forwarded-Server', this.#hostname);

    removeConnectionHeaders(h);
  }
}

function nonEmpty(h: HeaderList, name: string): boolean {
  const v = h.get(name);
  return v !== undefined && v !== '';
}

/** Set `name` (given lower case as `lower`) to a single value `value`. */
function put(h: HeaderList, lower: string, name: string, value: string): void {
  if (h.has(lower)) h.set(name, value);
  else h.add(name, value);
}

function stripManaged(h: HeaderList): void {
  const raw = h.raw;
  for (let i = 0; i < raw.length; ) {
    if (isManaged(raw[i] as string)) raw.splice(i, 2);
    else i += 2;
  }
}

/** Step 3: hop-by-hop headers named in Connection go; Connection stays only for upgrades. */
function removeConnectionHeaders(h: HeaderList): void {
  const connection = h.getAll('connection');
  if (connection.length === 0) return;
  let upgrade: string | undefined;
  for (const value of connection) if (hasToken(value, 'upgrade')) upgrade = h.get('upgrade');
  for (const value of connection) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (name === '' || isManaged(name)) continue;
      h.delete(name);
    }
  }
  if (upgrade !== undefined && upgrade !== '') {
    h.set('Connection', 'Upgrade');
    h.set('Upgrade', upgrade);
    return;
  }
  h.delete('connection');
}
