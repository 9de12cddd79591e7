/**
 * `tls.options.<name>` -> what Node's TLS server takes: the protocol versions, OpenSSL cipher and
 * curve names (from Go's names, through the tables of the config reader), the client CA list,
 * session tickets, and the client-authentication mode with Go's semantics:
 *
 * | clientAuthType             | asks | a certificate is required | it is verified against caFiles |
 * |----------------------------|------|---------------------------|--------------------------------|
 * | NoClientCert               | no   | -                         | -                              |
 * | RequestClientCert          | yes  | no                        | no                             |
 * | RequireAnyClientCert       | yes  | yes                       | no                             |
 * | VerifyClientCertIfGiven    | yes  | no                        | yes, when one is sent          |
 * | RequireAndVerifyClientCert | yes  | yes                       | yes                            |
 *
 * OpenSSL verifies whenever it asks; the listener then applies the table (checks.ts). The two
 * verifying types need caFiles (Traefik: "CAFiles is required"): without them the options are
 * broken and every connection that would use them is refused, as is one whose CA file cannot be read.
 */
import type { SecureContextOptions } from 'node:tls';
import { tls } from '../net/lazy-tls.js';
import { constants } from 'node:crypto';
import type { Diagnostic } from '../config/diagnostics.js';
import type { ClientAuthType, TlsOptionsConfig } from '../config/dynamic/types.js';
import { DEFAULT_TLS_OPTIONS, GO_CIPHER_SUITES, GO_CURVES, TLS13_CIPHER_SUITES, TLS_VERSIONS } from '../config/dynamic/schema/tls.js';
import { TLS_CODES } from './codes.js';
import { describeSource, pemBlocks, readPem } from '../net/pem-source.js';

/** TLS 1.3 suites stay on whatever `cipherSuites` says (Go does not let them be chosen). */
const TLS13_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

let nodeTls12Defaults: string | undefined;

/** Node's default TLS 1.2 (and older) cipher list, without its TLS 1.3 part. */
function nodeTls12Ciphers(): string {
  return (nodeTls12Defaults ??= tls()
    .DEFAULT_CIPHERS.split(':')
    .filter((c) => !c.startsWith('TLS_'))
    .join(':'));
}

export interface BuiltTlsOptions {
  readonly name: string;
  readonly config: TlsOptionsConfig;
  /** Shared by every secure context of these options; `cert` and `key` are added per certificate. */
  readonly context: SecureContextOptions;
  /** Ask the client for a certificate. */
  readonly requestCert: boolean;
  /** Let OpenSSL refuse a missing or unverified certificate itself (RequireAndVerifyClientCert). */
  readonly rejectUnauthorized: boolean;
  readonly clientAuth: ClientAuthType;
  readonly sniStrict: boolean;
  /** Why connections using these options are refused, else undefined. */
  readonly broken: string | undefined;
}

export function requiresVerification(t: ClientAuthType): boolean {
  return t === 'VerifyClientCertIfGiven' || t === 'RequireAndVerifyClientCert';
}

/** Builds `name`'s options; problems become diagnostics (and `broken`), never exceptions. */
export function buildTlsOptions(name: string, cfg: TlsOptionsConfig): { options: BuiltTlsOptions; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const path = `tls.options.${name}`;
  let broken: string | undefined;
  const problem = (code: string, message: string, at: string): void => {
    diagnostics.push({ code, severity: 'error', message: `${message}; connections using these options are refused`, path: at, object: name });
    broken ??= message;
  };

  const context: { -readonly [K in keyof SecureContextOptions]: SecureContextOptions[K] } = {
    minVersion: TLS_VERSIONS.get(cfg.minVersion) ?? 'TLSv1.2',
  };
  if (cfg.maxVersion !== undefined) context.maxVersion = TLS_VERSIONS.get(cfg.maxVersion) ?? 'TLSv1.3';
  // TLS 1.0 and 1.1 need OpenSSL's security level 0 (their signature hashes are below level 1).
  const legacy = context.minVersion === 'TLSv1' || context.minVersion === 'TLSv1.1';

  if (cfg.cipherSuites.length > 0) {
    const available = new Set(tls().getCiphers().map((c) => c.toUpperCase()));
    const names: string[] = [];
    for (const go of cfg.cipherSuites) {
      if (TLS13_CIPHER_SUITES.has(go)) continue;
      const openssl = GO_CIPHER_SUITES.get(go);
      if (openssl !== undefined && available.has(openssl.toUpperCase())) {
        if (!names.includes(openssl)) names.push(openssl);
      } else {
        diagnostics.push({ code: TLS_CODES.OPTIONS, severity: 'warning', message: `cipher suite ${go} is not available in this build of OpenSSL; left out`, path: `${path}.cipherSuites`, object: name });
      }
    }
    // With no TLS 1.2 suite left, only TLS 1.3 handshakes can succeed (as in Go).
    context.ciphers = [...names, TLS13_SUITES].join(':') + (legacy ? ':@SECLEVEL=0' : '');
  } else {
    // Go's default order (with AES hardware): AES-128-GCM first, then AES-256-GCM, ChaCha20,
    // chosen by the server's order as Go does. Node's own default would pick AES-256 first.
    // Read when a secure context or TLS server is made from these options, not now: the built-in
    // default options are built at start even with no TLS at all, and Node's list is node:tls's
    // (lazy-tls.ts).
    Object.defineProperty(context, 'ciphers', {
      get: () => `${TLS13_SUITES}:${nodeTls12Ciphers()}` + (legacy ? ':@SECLEVEL=0' : ''),
      enumerable: true,
    });
    context.honorCipherOrder = true;
  }

  if (cfg.curvePreferences.length > 0) {
    const curves: string[] = [];
    for (const c of cfg.curvePreferences) {
      const openssl = GO_CURVES.get(c);
      if (openssl !== undefined && !curves.includes(openssl)) curves.push(openssl);
    }
    if (curves.length > 0) context.ecdhCurve = curves.join(':');
  }

  if (cfg.disableSessionTickets) context.secureOptions = constants.SSL_OP_NO_TICKET;

  const clientAuth = cfg.clientAuth.clientAuthType;
  if (cfg.clientAuth.caFiles.length > 0) {
    const cas: string[] = [];
    cfg.clientAuth.caFiles.forEach((ca, i) => {
      try {
        const blocks = pemBlocks(readPem(ca), 'CERTIFICATE');
        if (blocks.length === 0) throw new Error(`${describeSource(ca)}: no PEM certificate found`);
        cas.push(...blocks);
      } catch (err) {
        problem(TLS_CODES.CA_FILE, err instanceof Error ? err.message : String(err), `${path}.clientAuth.caFiles[${i}]`);
      }
    });
    if (cas.length > 0) context.ca = cas;
  } else if (requiresVerification(clientAuth)) {
    problem(TLS_CODES.OPTIONS, `invalid clientAuthType: ${clientAuth}, CAFiles is required`, `${path}.clientAuth`);
  }

  // Options written in the configuration are tried with OpenSSL now; the built-in defaults are
  // known good (and trying them would load node:tls in a process that may never use it).
  if (broken === undefined && cfg !== DEFAULT_TLS_OPTIONS) {
    try {
      tls().createSecureContext(context);
    } catch (err) {
      problem(TLS_CODES.OPTIONS, `OpenSSL refuses these options: ${err instanceof Error ? err.message : String(err)}`, path);
    }
  }

  const requestCert = clientAuth !== 'NoClientCert';
  return {
    options: {
      name,
      config: cfg,
      context,
      requestCert,
      rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert',
      clientAuth,
      sniStrict: cfg.sniStrict,
      broken,
    },
    diagnostics,
  };
}

/** Go's rules after the handshake: true when the connection may go on. */
export function clientCertificateAccepted(clientAuth: ClientAuthType, hasCertificate: boolean, verified: boolean): boolean {
  switch (clientAuth) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return true;
    case 'RequireAnyClientCert':
      return hasCertificate;
    case 'VerifyClientCertIfGiven':
      return !hasCertificate || verified;
    case 'RequireAndVerifyClientCert':
      return hasCertificate && verified;
  }
}
