/**
 * The TlsInfo of a connection that finished its handshake: what every exchange on it carries
 * (`ex.tls`). Made once per connection; the client's certificate chain is read off the socket only
 * when something asks for it (passTLSClientCert), never per request.
 */
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { TlsInfo } from '../exchange/exchange.js';

export class SocketTlsInfo implements TlsInfo {
  readonly servername: string | undefined;
  readonly protocol: string;
  readonly cipher: string;
  readonly alpn: string | undefined;
  readonly #socket: TLSSocket;
  #peer: readonly X509Certificate[] | undefined | null = null;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
    const name = (socket as { servername?: string | false | null }).servername;
    this.servername = typeof name === 'string' && name !== '' ? name : undefined;
    this.protocol = socket.getProtocol() ?? '';
    this.cipher = socket.getCipher()?.name ?? '';
    const alpn = socket.alpnProtocol;
    this.alpn = typeof alpn === 'string' ? alpn : undefined;
  }

  /** The client's chain, leaf first (undefined when it sent none); read once, on first use. */
  get peerCertificates(): readonly X509Certificate[] | undefined {
    if (this.#peer === null) this.#peer = readChain(this.#socket);
    return this.#peer;
  }
}

function readChain(socket: TLSSocket): readonly X509Certificate[] | undefined {
  let detailed: DetailedPeerCertificate;
  try {
    detailed = socket.getPeerCertificate(true);
  } catch {
    return undefined;
  }
  if (detailed === null || typeof detailed !== 'object' || !Buffer.isBuffer(detailed.raw)) return undefined;
  const out: X509Certificate[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  let c: DetailedPeerCertificate | undefined = detailed;
  while (c !== undefined && !seen.has(c) && Buffer.isBuffer(c.raw)) {
    seen.add(c);
    out.push(new X509Certificate(c.raw));
    const next: DetailedPeerCertificate | undefined = c.issuerCertificate;
    // A self-signed root is its own issuer (the same object, or the same bytes).
    if (next === undefined || next === c || (Buffer.isBuffer(next.raw) && next.raw.equals(c.raw))) break;
    c = next;
  }
  // Node completes the chain up to the root from the trust store (caFiles); Go's PeerCertificates
  // hold only what the client sent, which as a rule ends below the root: drop a self-signed tail.
  if (out.length > 1) {
    const last = out[out.length - 1] as X509Certificate;
    if (last.issuer === last.subject && last.checkIssued(last)) out.pop();
  }
  return Object.freeze(out);
}
