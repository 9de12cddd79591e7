/**
 * Reads the TLS ClientHello off the first bytes of a connection without consuming them: the entry
 * point's listener needs the server name (SNI) before the handshake starts, to pick the TLS
 * options (client authentication, versions, ALPN) a connection gets, as Traefik's TCP router does
 * with its ClientHello peek. Only the fields Turnpike uses are extracted; OpenSSL parses the
 * message again for the handshake itself.
 */

/** Content type of a TLS handshake record: the first byte of every TLS connection. */
export const TLS_HANDSHAKE_RECORD = 0x16;

/** Largest ClientHello we wait for (several records); bigger is refused. */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

export type ClientHelloResult =
  /** More bytes are needed. */
  | { readonly kind: 'incomplete' }
  /** Not a well-formed ClientHello: refuse the connection. */
  | { readonly kind: 'invalid'; readonly reason: string }
  | {
      readonly kind: 'hello';
      /** The SNI host name, lower-cased, or undefined when the client sent none. */
      readonly serverName: string | undefined;
      /** ALPN protocols offered, in the client's order ([] when none). */
      readonly alpn: readonly string[];
    };

const INCOMPLETE: ClientHelloResult = Object.freeze({ kind: 'incomplete' });
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const HANDSHAKE_CLIENT_HELLO = 1;

function invalid(reason: string): ClientHelloResult {
  return { kind: 'invalid', reason };
}

/**
 * Parses the ClientHello at the start of `buf` (which begins with a handshake record). The
 * handshake message may span several records; they are joined first.
 */
export function parseClientHello(buf: Buffer): ClientHelloResult {
  // Join the fragments of consecutive handshake records until the whole message is there.
  const fragments: Buffer[] = [];
  let have = 0;
  let need = -1;
  let off = 0;
  for (;;) {
    if (need >= 0 && have >= need) break;
    if (off + 5 > buf.length) return buf.length > MAX_CLIENT_HELLO_BYTES ? invalid('ClientHello too large') : INCOMPLETE;
    if (buf[off] !== TLS_HANDSHAKE_RECORD) return invalid('not a handshake record');
    if (buf[off + 1] !== 3) return invalid('unknown record version');
    const len = buf.readUInt16BE(off + 3);
    if (len === 0 || len > 16384 + 2048) return invalid('bad record length');
    if (off + 5 + len > buf.length) return buf.length > MAX_CLIENT_HELLO_BYTES ? invalid('ClientHello too large') : INCOMPLETE;
    const frag = buf.subarray(off + 5, off + 5 + len);
    fragments.push(frag);
    have += len;
    off += 5 + len;
    if (need < 0 && have >= 4) {
      const head = fragments.length === 1 ? frag : Buffer.concat(fragments);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return invalid('first handshake message is not a ClientHello');
      need = 4 + ((head[1] as number) << 16) + ((head[2] as number) << 8) + (head[3] as number);
      if (need > MAX_CLIENT_HELLO_BYTES) return invalid('ClientHello too large');
    }
  }
  const msg = fragments.length === 1 ? (fragments[0] as Buffer) : Buffer.concat(fragments);
  return parseBody(msg.subarray(4, need));
}

function parseBody(b: Buffer): ClientHelloResult {
  // client_version(2) random(32)
  let p = 34;
  if (p + 1 > b.length) return invalid('truncated ClientHello');
  p += 1 + (b[p] as number); // session_id
  if (p + 2 > b.length) return invalid('truncated ClientHello');
  const suites = b.readUInt16BE(p);
  if (suites === 0 || suites % 2 !== 0) return invalid('bad cipher suite list');
  p += 2 + suites;
  if (p + 1 > b.length) return invalid('truncated ClientHello');
  p += 1 + (b[p] as number); // compression methods
  if (p > b.length) return invalid('truncated ClientHello');
  let serverName: string | undefined;
  let alpn: string[] = [];
  if (p === b.length) return { kind: 'hello', serverName, alpn }; // no extensions (SSLv3-style hello)
  if (p + 2 > b.length) return invalid('truncated extensions');
  const extEnd = p + 2 + b.readUInt16BE(p);
  if (extEnd > b.length) return invalid('truncated extensions');
  p += 2;
  while (p + 4 <= extEnd) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    const start = p + 4;
    const end = start + len;
    if (end > extEnd) return invalid('truncated extension');
    if (type === EXT_SERVER_NAME) {
      const name = readServerName(b, start, end);
      if (name === null) return invalid('bad server_name extension');
      serverName = name;
    } else if (type === EXT_ALPN) {
      const list = readAlpn(b, start, end);
      if (list === null) return invalid('bad ALPN extension');
      alpn = list;
    }
    p = end;
  }
  if (p !== extEnd) return invalid('trailing bytes in extensions');
  return { kind: 'hello', serverName, alpn };
}

function readServerName(b: Buffer, start: number, end: number): string | undefined | null {
  if (start === end) return undefined; // an empty extension (as servers echo it)
  if (start + 2 > end) return null;
  const listEnd = start + 2 + b.readUInt16BE(start);
  if (listEnd > end) return null;
  let p = start + 2;
  while (p + 3 <= listEnd) {
    const type = b[p] as number;
    const len = b.readUInt16BE(p + 1);
    if (p + 3 + len > listEnd) return null;
    if (type === 0) {
      // host_name: ASCII; trailing dot and case do not matter for matching.
      let name = b.toString('latin1', p + 3, p + 3 + len).toLowerCase();
      if (name.endsWith('.')) name = name.slice(0, -1);
      return name === '' ? undefined : name;
    }
    p += 3 + len;
  }
  return undefined;
}

function readAlpn(b: Buffer, start: number, end: number): string[] | null {
  if (start + 2 > end) return null;
  const listEnd = start + 2 + b.readUInt16BE(start);
  if (listEnd > end) return null;
  const out: string[] = [];
  let p = start + 2;
  while (p < listEnd) {
    const len = b[p] as number;
    if (len === 0 || p + 1 + len > listEnd) return null;
    out.push(b.toString('latin1', p + 1, p + 1 + len));
    p += 1 + len;
  }
  return out;
}
