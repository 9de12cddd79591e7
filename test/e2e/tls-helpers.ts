/**
 * Test certificates made with the openssl CLI in a temp directory (never committed): a CA, leaf
 * certificates (RSA or EC, self-signed or CA-signed, with SANs), and an expired client
 * certificate (node-forge: OpenSSL 3.0's CLI cannot back-date). Plus small TLS clients.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import forge from 'node-forge';

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

export class CertDir {
  readonly dir: string;
  #n = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'tpk-tls-'));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(file: string): string {
    return readFileSync(file, 'utf8');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A CA certificate and key (RSA 2048). */
  ca(name = 'Test CA'): CertFiles {
    const base = this.path(`ca${++this.#n}`);
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return { cert: `${base}.pem`, key: `${base}.key` };
  }

  /**
   * A leaf certificate for `cn` with DNS SANs (`sans`, default [cn]); signed by `ca` when given,
   * else self-signed; `ec` makes a P-256 key. `clientAuth` adds the client-auth usage.
   */
  leaf(cn: string, o: { sans?: readonly string[]; ca?: CertFiles; ec?: boolean; name?: string } = {}): CertFiles {
    const base = this.path(o.name ?? `leaf${++this.#n}`);
    const key = `${base}.key`;
    if (o.ec) openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    else openssl(['genrsa', '-out', key, '2048']);
    const sans = (o.sans ?? [cn]).map((s) => (/^[0-9.]+$/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',');
    const ext = `${base}.ext`;
    writeFileSync(ext, `subjectAltName=${sans}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    if (o.ca === undefined) {
      openssl(['req', '-x509', '-new', '-key', key, '-out', `${base}.pem`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${sans}`, '-addext', 'extendedKeyUsage=serverAuth,clientAuth']);
    } else {
      openssl(['req', '-new', '-key', key, '-out', `${base}.csr`, '-subj', `/CN=${cn}`]);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', o.ca.cert, '-CAkey', o.ca.key, '-CAcreateserial', '-out', `${base}.pem`, '-days', '2', '-extfile', ext]);
    }
    return { cert: `${base}.pem`, key };
  }

  /** A client certificate signed by `ca` that expired yesterday. */
  expiredClient(cn: string, ca: CertFiles): CertFiles {
    const base = this.path(`expired${++this.#n}`);
    const keys = forge.pki.rsa.generateKeyPair(2048);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '0a' + String(this.#n).padStart(6, '0');
    const day = 24 * 3600 * 1000;
    cert.validity.notBefore = new Date(Date.now() - 3 * day);
    cert.validity.notAfter = new Date(Date.now() - day);
    const caCert = forge.pki.certificateFromPem(readFileSync(ca.cert, 'utf8'));
    cert.setSubject([{ name: 'commonName', value: cn }]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([{ name: 'extKeyUsage', clientAuth: true }]);
    cert.sign(forge.pki.privateKeyFromPem(readFileSync(ca.key, 'utf8')), forge.md.sha256.create());
    writeFileSync(`${base}.pem`, forge.pki.certificateToPem(cert));
    writeFileSync(`${base}.key`, forge.pki.privateKeyToPem(keys.privateKey));
    return { cert: `${base}.pem`, key: `${base}.key` };
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface Handshake {
  readonly ok: boolean;
  readonly error?: string;
  readonly peer?: PeerCertificate;
  readonly alpn?: string | false;
  readonly protocol?: string | null;
  readonly socket?: TLSSocket;
  /** With `waitClose`: the first bytes of the answer to a GET /. */
  readonly response?: string;
}

/**
 * Connects, completes the handshake (or fails) and reports; the socket is left open when `keep`
 * is set (the caller ends it), else closed. TLS 1.3 servers refuse a client certificate after
 * the handshake, so a refusal can show as the connection closing right after it: with
 * `waitClose` the result waits for that (bounded) and reports it as not ok.
 */
export function handshake(port: number, opts: ConnectionOptions & { keep?: boolean; waitClose?: boolean; httpHost?: string } = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const { keep, waitClose, httpHost, ...rest } = opts;
    const socket = tlsConnect({ rejectUnauthorized: false, ...rest, host: '127.0.0.1', port });
    let settled = false;
    const done = (h: Handshake): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!keep) socket.destroy();
      resolve(h);
    };
    const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), 5000);
    socket.on('error', (err) => done({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    socket.on('close', () => done({ ok: false, error: 'closed' }));
    socket.on('secureConnect', () => {
      const h: Handshake = { ok: true, peer: socket.getPeerCertificate(), alpn: socket.alpnProtocol ?? false, protocol: socket.getProtocol(), socket };
      if (waitClose !== true) return done(h);
      // Ask something: a refused client certificate surfaces as the server closing.
      socket.write(`GET / HTTP/1.1\r\nHost: ${httpHost ?? opts.servername ?? 'x'}\r\n\r\n`);
      let got = '';
      socket.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        const end = got.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = /content-length: *(\d+)/i.exec(got.slice(0, end));
        if (len === null || got.length >= end + 4 + Number(len[1])) done({ ...h, response: got });
      });
    });
  });
}
