/**
 * The certificate store (Traefik's `default` store): the configured certificates indexed by the
 * names they cover, and the store's default certificate. Selection is by SNI only, as in Traefik:
 * a certificate naming the server name exactly, else a wildcard one (`*` stands for one label:
 * `*.example.com` covers `a.example.com`, not `a.b.example.com`; the most specific wildcard wins),
 * else none (the caller serves the default certificate, or refuses with sniStrict). A certificate
 * covers its subject CN, its DNS names and its IP addresses (for clients that send no SNI, the
 * local address is looked up instead, as Traefik does).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Diagnostic } from '../config/diagnostics.js';
import type { TlsCertificatePair, TlsConfig } from '../config/dynamic/types.js';
import { TLS_CODES } from './codes.js';
import { describeSource, isInlinePem, pemBlocks, readPem } from '../net/pem-source.js';

/** A loaded certificate: PEM chain and key as Node's `cert` and `key` take them. */
export interface StoredCertificate {
  /** Leaf first, then the chain as given. */
  readonly cert: string;
  readonly key: string;
  /** Lower-cased names it covers: CN, DNS names, IP addresses. */
  readonly names: readonly string[];
  /** The parsed leaf. */
  readonly leaf: X509Certificate;
}

/** Names a certificate covers, Traefik's way: the CN (when set), then DNS SANs, then IP SANs. */
export function certificateNames(leaf: X509Certificate): string[] {
  const names: string[] = [];
  const add = (n: string): void => {
    const v = n.trim().toLowerCase();
    if (v !== '' && !names.includes(v)) names.push(v);
  };
  for (const line of leaf.subject.split('\n')) if (line.startsWith('CN=')) add(line.slice(3));
  const san = leaf.subjectAltName;
  if (san !== undefined) {
    for (const part of san.split(', ')) {
      if (part.startsWith('DNS:')) add(part.slice(4));
      else if (part.startsWith('IP Address:')) add(part.slice(11));
    }
  }
  return names;
}

/**
 * Loads and checks one certificate pair: the certificate file parses, the key parses and is the
 * certificate's. Throws an Error whose message names the file (or says "inline PEM").
 */
export function loadCertificate(pair: TlsCertificatePair): StoredCertificate {
  const certText = readPem(pair.certFile);
  const blocks = pemBlocks(certText, 'CERTIFICATE');
  if (blocks.length === 0) throw new Error(`${describeSource(pair.certFile)}: no PEM certificate found`);
  let leaf: X509Certificate | undefined;
  for (const [i, block] of blocks.entries()) {
    try {
      const c = new X509Certificate(block);
      leaf ??= c;
    } catch (err) {
      throw new Error(`${describeSource(pair.certFile)}: certificate ${i + 1} does not parse: ${errorText(err)}`, { cause: err });
    }
  }
  const keyText = readPem(pair.keyFile);
  let key;
  try {
    key = createPrivateKey(keyText);
  } catch (err) {
    throw new Error(`${describeSource(pair.keyFile)}: the private key does not parse: ${errorText(err)}`, { cause: err });
  }
  const parsedLeaf = leaf as X509Certificate;
  if (!parsedLeaf.checkPrivateKey(key)) {
    throw new Error(`${describeSource(pair.keyFile)}: the private key does not match the certificate of ${describeSource(pair.certFile)}`);
  }
  return { cert: blocks.join(''), key: keyText, names: certificateNames(parsedLeaf), leaf: parsedLeaf };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class CertificateStore {
  /** Name (or wildcard pattern) -> the first certificate configured for it. */
  readonly #byName = new Map<string, StoredCertificate>();
  readonly certificates: readonly StoredCertificate[];

  constructor(certificates: readonly StoredCertificate[]) {
    this.certificates = certificates;
    for (const c of certificates) for (const n of c.names) if (!this.#byName.has(n)) this.#byName.set(n, c);
  }

  /** The certificate for a (lower-cased) server name, or undefined when none covers it. */
  lookup(serverName: string): StoredCertificate | undefined {
    const exact = this.#byName.get(serverName);
    if (exact !== undefined) return exact;
    // Traefik's matchDomain: replace labels with `*` from the left, one more each time.
    const labels = serverName.split('.');
    for (let i = 0; i < labels.length; i++) {
      labels[i] = '*';
      const hit = this.#byName.get(labels.join('.'));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}

/** Files (not inline PEM) a TLS configuration reads: the ones to watch for changes. */
export function certificateFiles(tls: TlsConfig): string[] {
  const files = new Set<string>();
  const add = (v: string): void => {
    if (!isInlinePem(v)) files.add(v);
  };
  for (const c of tls.certificates) {
    add(c.certFile);
    add(c.keyFile);
  }
  const def = tls.stores['default']?.defaultCertificate;
  if (def !== undefined) {
    add(def.certFile);
    add(def.keyFile);
  }
  for (const o of Object.values(tls.options)) for (const ca of o.clientAuth.caFiles) add(ca);
  return [...files];
}

export interface LoadedStore {
  readonly store: CertificateStore;
  /** `tls.stores.default.defaultCertificate` when set and valid; undefined = the generated one. */
  readonly defaultCertificate: StoredCertificate | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Loads every certificate of `tls`; one that fails is reported (naming its file) and left out. */
export function loadStore(tls: TlsConfig): LoadedStore {
  const diagnostics: Diagnostic[] = [];
  const loaded: StoredCertificate[] = [];
  const fail = (path: string, err: unknown, what: string): void => {
    diagnostics.push({ code: TLS_CODES.CERTIFICATE, severity: 'error', message: `${errorText(err)}; ${what}`, path });
  };
  tls.certificates.forEach((pair, i) => {
    try {
      loaded.push(loadCertificate(pair));
    } catch (err) {
      fail(`tls.certificates[${i}]`, err, 'this certificate is left out');
    }
  });
  let defaultCertificate: StoredCertificate | undefined;
  const def = tls.stores['default']?.defaultCertificate;
  if (def !== undefined) {
    try {
      defaultCertificate = loadCertificate(def);
    } catch (err) {
      fail('tls.stores.default.defaultCertificate', err, 'the generated default certificate is served instead');
    }
  }
  return { store: new CertificateStore(loaded), defaultCertificate, diagnostics };
}
