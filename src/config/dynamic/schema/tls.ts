/**
 * The dynamic `tls` section: `tls.certificates[]`, `tls.options.<name>` and `tls.stores.<name>`,
 * read with Traefik's defaults and checks. Nothing here reads a file: certificate and CA paths (or
 * inline PEM blocks) are kept as written, and the TLS runtime loads them and reports a file that
 * cannot be read or does not parse, per certificate.
 *
 * Also the name tables the runtime needs to turn Traefik's (Go's) names into OpenSSL's:
 * GO_CIPHER_SUITES, GO_CURVES and TLS_VERSIONS.
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { ClientAuthType, TlsCertificatePair, TlsOptionsConfig, TlsStoreConfig, TlsVersionName } from '../types.js';
import { type Field, type KeyPath, Scope, readBool, readFields, readString, readStringList, requireField } from './fields.js';

/**
 * Go's cipher-suite names (the ones Traefik accepts in `cipherSuites`) -> OpenSSL's names, for
 * Node's `ciphers` (TLS 1.0-1.2) and `ciphersuites`-style TLS 1.3 names (which OpenSSL spells as Go
 * does). RC4 and 3DES suites are known to Go but usually not compiled into Node's OpenSSL: the
 * runtime should check `tls.getCiphers()` and report a suite it cannot offer. Go's
 * `TLS_FALLBACK_SCSV` is not a suite: it is accepted and ignored with a warning (not in this map).
 */
export const GO_CIPHER_SUITES: ReadonlyMap<string, string> = new Map([
  ['TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA'],
  ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA'],
  ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA'],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA'],
  ['TLS_RSA_WITH_AES_128_CBC_SHA256', 'AES128-SHA256'],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE-ECDSA-RC4-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA'],
  ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE-RSA-RC4-SHA'],
  ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-RSA-DES-CBC3-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  // TLS 1.3: not configurable in Go (Traefik ignores them); OpenSSL names them the same way.
  ['TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
  ['TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384'],
  ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
]);

/** The TLS 1.3 suites of GO_CIPHER_SUITES (Traefik ignores them in `cipherSuites`: Go does not let them be chosen). */
export const TLS13_CIPHER_SUITES: ReadonlySet<string> = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);

/**
 * `curvePreferences` names Traefik accepts (Go's and the RFC 8446 ones) -> OpenSSL group names,
 * for Node's `ecdhCurve` (joined with `:`).
 */
export const GO_CURVES: ReadonlyMap<string, string> = new Map([
  ['CurveP256', 'P-256'],
  ['secp256r1', 'P-256'],
  ['CurveP384', 'P-384'],
  ['secp384r1', 'P-384'],
  ['CurveP521', 'P-521'],
  ['secp521r1', 'P-521'],
  ['X25519', 'X25519'],
  ['x25519', 'X25519'],
]);

/** Post-quantum groups newer Traefik versions accept, which Node 20's OpenSSL 3.0 cannot offer. */
const UNSUPPORTED_CURVES: ReadonlySet<string> = new Set(['X25519MLKEM768', 'x25519mlkem768', 'SecP256r1MLKEM768', 'secp256r1mlkem768', 'SecP384r1MLKEM1024', 'secp384r1mlkem1024']);

/** Traefik's version names -> Node's `minVersion`/`maxVersion` values. */
export const TLS_VERSIONS: ReadonlyMap<TlsVersionName, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = new Map([
  ['VersionTLS10', 'TLSv1'],
  ['VersionTLS11', 'TLSv1.1'],
  ['VersionTLS12', 'TLSv1.2'],
  ['VersionTLS13', 'TLSv1.3'],
] as const);

const VERSION_ORDER: readonly TlsVersionName[] = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'];

export const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

/** Traefik's ALPN default: HTTP/2 first, then HTTP/1.1 and the ACME TLS-ALPN challenge. */
export const DEFAULT_ALPN_PROTOCOLS: readonly string[] = Object.freeze(['h2', 'http/1.1', 'acme-tls/1']);

/** The options Traefik uses as `default` when no provider defines `tls.options.default`. */
export const DEFAULT_TLS_OPTIONS: TlsOptionsConfig = Object.freeze({
  minVersion: 'VersionTLS12',
  maxVersion: undefined,
  cipherSuites: Object.freeze([]),
  curvePreferences: Object.freeze([]),
  clientAuth: Object.freeze({ caFiles: Object.freeze([]), clientAuthType: 'NoClientCert' }),
  sniStrict: false,
  alpnProtocols: DEFAULT_ALPN_PROTOCOLS,
  disableSessionTickets: false,
} satisfies TlsOptionsConfig);

/** The only store Traefik uses; any other is read and ignored. */
export const DEFAULT_TLS_STORE = 'default';

/** A Scope whose messages name the certificate entry (it has no name of its own). */
class CertificateScope extends Scope {
  override get leftOut(): string {
    return '; this certificate is left out';
  }
}

/** `tls.certificates[i]`, or undefined (left out; the errors are on `diagnostics`). */
export function readTlsCertificate(ctx: Scope['ctx'], diagnostics: Scope['diagnostics'], raw: unknown, path: KeyPath): TlsCertificatePair | undefined {
  const scope = new CertificateScope(ctx, undefined, 'certificate', diagnostics);
  const fields = readFields(scope, raw, path, { supported: ['certFile', 'keyFile', 'stores'] });
  if (fields === undefined) return undefined;
  const pair = readPair(scope, fields, path);
  const storesField = fields.get('stores');
  const stores = readStringList(scope, storesField);
  const others = [...new Set(stores ?? [])].filter((s) => s !== DEFAULT_TLS_STORE);
  if (storesField !== undefined && others.length > 0) {
    const named = others.map((s) => `"${s}"`).join(', ');
    const note = stores?.includes(DEFAULT_TLS_STORE) === true ? '' : ' (Traefik would put it only in the stores named, which no entry point uses)';
    scope.warn(DYNAMIC_CODES.UNSUPPORTED, storesField.path, `only the "default" store is used: the certificate is served from it${note}; ${named} ignored`);
  }
  return scope.ok ? pair : undefined;
}

function readPair(scope: Scope, fields: ReadonlyMap<string, Field>, path: KeyPath): TlsCertificatePair | undefined {
  const certFile = readString(scope, requireField(scope, fields, 'certFile', path, 'a certificate file path or an inline PEM block'), { nonEmpty: true });
  const keyFile = readString(scope, requireField(scope, fields, 'keyFile', path, 'a key file path or an inline PEM block'), { nonEmpty: true });
  return certFile === undefined || keyFile === undefined ? undefined : { certFile, keyFile };
}

const OPTIONS_KEYS = {
  supported: ['minVersion', 'maxVersion', 'cipherSuites', 'curvePreferences', 'clientAuth', 'sniStrict', 'alpnProtocols', 'disableSessionTickets'],
  ignored: { preferServerCipherSuites: 'preferServerCipherSuites is deprecated and ignored (as in Traefik v3: Go no longer honours it)' },
} as const;

/** `tls.options.<name>` with Traefik's defaults; undefined when it has an error. */
export function readTlsOptions(scope: Scope, raw: unknown, path: KeyPath): TlsOptionsConfig | undefined {
  const fields = readFields(scope, raw, path, OPTIONS_KEYS);
  if (fields === undefined) return undefined;
  const minVersion = readVersion(scope, fields.get('minVersion')) ?? 'VersionTLS12';
  const maxField = fields.get('maxVersion');
  const maxVersion = readVersion(scope, maxField);
  if (maxField !== undefined && maxVersion !== undefined && VERSION_ORDER.indexOf(maxVersion) < VERSION_ORDER.indexOf(minVersion)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, maxField.path, `maxVersion ${maxVersion} is lower than minVersion ${minVersion}: no TLS version could be negotiated${scope.leftOut}`);
  }
  const cipherSuites = readCipherSuites(scope, fields.get('cipherSuites'));
  const curvePreferences = readCurves(scope, fields.get('curvePreferences'));
  const clientAuth = readClientAuth(scope, fields.get('clientAuth'));
  const sniStrict = readBool(scope, fields.get('sniStrict')) ?? false;
  const alpnProtocols = readStringList(scope, fields.get('alpnProtocols')) ?? DEFAULT_ALPN_PROTOCOLS;
  const disableSessionTickets = readBool(scope, fields.get('disableSessionTickets')) ?? false;
  if (!scope.ok || clientAuth === undefined) return undefined;
  return { minVersion, maxVersion, cipherSuites, curvePreferences, clientAuth, sniStrict, alpnProtocols, disableSessionTickets };
}

function readVersion(scope: Scope, f: Field | undefined): TlsVersionName | undefined {
  const text = readString(scope, f);
  if (f === undefined || text === undefined || text === '') return undefined;
  if ((VERSION_ORDER as readonly string[]).includes(text)) return text as TlsVersionName;
  scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected one of ${VERSION_ORDER.join(', ')}, got "${text}"${scope.leftOut}`);
  return undefined;
}

function readCipherSuites(scope: Scope, f: Field | undefined): string[] {
  const list = readStringList(scope, f);
  if (f === undefined || list === undefined) return [];
  const out: string[] = [];
  list.forEach((name, i) => {
    if (GO_CIPHER_SUITES.has(name)) out.push(name);
    else if (name === 'TLS_FALLBACK_SCSV') {
      scope.warn(DYNAMIC_CODES.UNSUPPORTED, [...f.path, i], 'TLS_FALLBACK_SCSV is a signalling value, not a cipher suite: ignored');
    } else {
      const hint = [...GO_CIPHER_SUITES.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
      const expected = hint === undefined ? 'a Go cipher-suite name such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' : `"${hint}" (names are case-sensitive)`;
      scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, i], `unknown cipher suite "${name}"; expected ${expected}${scope.leftOut}`);
    }
  });
  return out;
}

function readCurves(scope: Scope, f: Field | undefined): string[] {
  const list = readStringList(scope, f);
  if (f === undefined || list === undefined) return [];
  list.forEach((name, i) => {
    if (GO_CURVES.has(name)) return;
    if (UNSUPPORTED_CURVES.has(name)) {
      scope.error(DYNAMIC_CODES.UNSUPPORTED, [...f.path, i], `curve "${name}" (post-quantum hybrid) is not available in Node 20's OpenSSL${scope.leftOut}`);
    } else {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, i], `unknown curve "${name}"; expected one of ${[...GO_CURVES.keys()].join(', ')}${scope.leftOut}`);
    }
  });
  return list;
}

type ClientAuth = TlsOptionsConfig['clientAuth'];

/**
 * `clientAuth`, with Traefik's rules: CA files without a type mean RequireAndVerifyClientCert;
 * the two verifying types need CA files.
 */
function readClientAuth(scope: Scope, f: Field | undefined): ClientAuth | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return DEFAULT_TLS_OPTIONS.clientAuth;
  const fields = readFields(scope, f.value, f.path, { supported: ['caFiles', 'clientAuthType'] });
  if (fields === undefined) return undefined;
  const caFiles = readStringList(scope, fields.get('caFiles')) ?? [];
  caFiles.forEach((ca, i) => {
    if (ca.trim() === '') scope.error(DYNAMIC_CODES.INVALID_VALUE, [...(fields.get('caFiles')?.path ?? f.path), i], `expected a CA file path or an inline PEM block, got an empty string${scope.leftOut}`);
  });
  const typeField = fields.get('clientAuthType');
  const given = readString(scope, typeField);
  let clientAuthType: ClientAuthType = caFiles.length > 0 ? 'RequireAndVerifyClientCert' : 'NoClientCert';
  if (typeField !== undefined && given !== undefined && given !== '') {
    if ((CLIENT_AUTH_TYPES as readonly string[]).includes(given)) clientAuthType = given as ClientAuthType;
    else {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, typeField.path, `unknown clientAuthType "${given}"; expected one of ${CLIENT_AUTH_TYPES.join(', ')}${scope.leftOut}`);
      return undefined;
    }
    if (caFiles.length === 0 && (clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert')) {
      scope.error(DYNAMIC_CODES.MISSING_KEY, typeField.path, `clientAuthType ${clientAuthType} needs clientAuth.caFiles (the CAs client certificates are verified against)${scope.leftOut}`);
      return undefined;
    }
  }
  return { caFiles, clientAuthType };
}

/** `tls.stores.<name>`; undefined when it has an error. */
export function readTlsStore(scope: Scope, raw: unknown, path: KeyPath): TlsStoreConfig | undefined {
  const fields = readFields(scope, raw, path, { supported: ['defaultCertificate', 'defaultGeneratedCert'] });
  if (fields === undefined) return undefined;
  const generated = fields.get('defaultGeneratedCert');
  if (generated !== undefined && generated.value !== null && generated.value !== undefined) {
    scope.error(
      DYNAMIC_CODES.UNSUPPORTED,
      generated.path,
      `defaultGeneratedCert (a default certificate obtained from a certificate resolver) is not supported yet: certificate resolvers (ACME) come later; use defaultCertificate {certFile, keyFile}, or nothing for the generated self-signed certificate${scope.leftOut}`,
    );
  }
  let defaultCertificate: TlsCertificatePair | undefined;
  const certField = fields.get('defaultCertificate');
  if (certField !== undefined && certField.value !== null && certField.value !== undefined) {
    const pairFields = readFields(scope, certField.value, certField.path, { supported: ['certFile', 'keyFile'] });
    if (pairFields !== undefined) defaultCertificate = readPair(scope, pairFields, certField.path);
  }
  if (!scope.ok) return undefined;
  return { defaultCertificate };
}

