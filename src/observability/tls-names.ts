/**
 * TLS names as Traefik writes them in metric labels (`tls_version`, `tls_cipher`) and access logs
 * (`TLSVersion`, `TLSCipher`): the version as Go's traefiktls.GetVersion (`1.0` ... `1.3`, else
 * `unknown`), the cipher suite under Go's name rather than OpenSSL's.
 */
import { GO_CIPHER_SUITES } from '../config/dynamic/schema/tls.js';

const VERSIONS: ReadonlyMap<string, string> = new Map([
  ['TLSv1', '1.0'],
  ['TLSv1.1', '1.1'],
  ['TLSv1.2', '1.2'],
  ['TLSv1.3', '1.3'],
]);

/** Node's protocol name (`TLSv1.3`, tls.TLSSocket#getProtocol) -> Traefik's (`1.3`). */
export function tlsVersionName(protocol: string): string {
  return VERSIONS.get(protocol) ?? 'unknown';
}

let cipherNames: Map<string, string> | undefined;

/** OpenSSL cipher name -> Go's (`ECDHE-RSA-AES128-GCM-SHA256` -> `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`); TLS 1.3 names are the same in both. */
export function goCipherName(openssl: string): string {
  if (cipherNames === undefined) {
    cipherNames = new Map();
    for (const [go, ossl] of GO_CIPHER_SUITES) if (!cipherNames.has(ossl)) cipherNames.set(ossl, go);
  }
  return cipherNames.get(openssl) ?? openssl;
}
