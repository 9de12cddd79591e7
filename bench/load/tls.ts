/**
 * TLS for the HTTP/2 scenarios: a self-signed certificate for the benchmark's Host (made with the
 * openssl CLI in the scratch directory) and a readiness probe that insists on HTTP/2 via ALPN.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, constants } from 'node:http2';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Prober } from './processes.js';

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
  /** Certificate then key in one file (HAProxy's `crt`). */
  readonly combined: string;
}

/** What the certificate is, for the printed notes. */
export const CERT_DESCRIPTION = 'self-signed ECDSA P-256 certificate';

/**
 * Writes a self-signed ECDSA P-256 certificate for `host` (CN and subjectAltName) into `dir`.
 * Throws with openssl's output when it fails.
 */
export function makeCert(openssl: string, dir: string, host: string): CertFiles {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const combined = join(dir, 'combined.pem');
  const r = spawnSync(
    openssl,
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl could not make a certificate (${r.error?.message ?? `exit ${String(r.status)}`}):\n${r.stderr}`);
  writeFileSync(combined, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { cert, key, combined };
}

/**
 * HTTP/2 over TLS probe on a fresh connection (SNI and :authority `host:port`, certificate not
 * verified). Fails when the server does not negotiate h2.
 */
export const probeH2: Prober = (port, host, path, timeoutMs) =>
  new Promise((resolve, reject) => {
    const session = connect(`https://${host}:${port}`, {
      createConnection: () => tlsConnect({ host: '127.0.0.1', port, servername: host, rejectUnauthorized: false, ALPNProtocols: ['h2'] }),
    });
    const timer = setTimeout(() => session.destroy(new Error('probe timed out')), timeoutMs);
    const done = (err: Error | undefined, status = 0, body = ''): void => {
      clearTimeout(timer);
      session.close();
      if (err) reject(err);
      else resolve({ status, body });
    };
    session.on('error', (err: Error) => done(err));
    const req = session.request({ [constants.HTTP2_HEADER_PATH]: path });
    let status = 0;
    let body = '';
    req.setEncoding('utf8');
    req.on('response', (headers) => (status = Number(headers[constants.HTTP2_HEADER_STATUS] ?? 0)));
    req.on('data', (c: string) => (body += c));
    req.on('end', () => done(undefined, status, body));
    req.on('error', (err: Error) => done(err));
    req.end();
  });
