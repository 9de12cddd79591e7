/**
 * The two header values of passTLSClientCert, byte for byte as Traefik v3 writes them:
 * - `X-Forwarded-Tls-Client-Cert`: each certificate's PEM body (standard base64 of the DER, no
 *   BEGIN/END lines, no newlines), joined with `,`. NOT URL-escaped since Traefik v2.9.4
 *   (traefik#9379/#9412), so `+`, `/` and `=` appear as they are.
 * - `X-Forwarded-Tls-Client-Cert-Info`: per certificate the `;`-joined fields
 *   `Subject="..."`, `Issuer="..."`, `SerialNumber="..."`, `NB="..."`, `NA="..."`, `SAN="..."` (in
 *   that order, a field left out when empty or not asked for), certificates joined with `,`, the
 *   whole text then escaped with Go's url.QueryEscape.
 * A distinguished name is written `DC=..,C=..,ST=..,L=..,O=..,OU=..,SN=..,CN=..` (each asked part,
 * every value of a multi-valued part, empty values skipped); the issuer has no OU (Traefik's
 * issuer options have no organizationalUnit).
 */
import type { X509Certificate } from 'node:crypto';
import type { PassTlsClientCertDnOptions, PassTlsClientCertInfoOptions } from '../../config/dynamic/schema/middlewares/pass-tls-client-cert.js';
import { type CertFields, type DnFields, readCertFields } from './x509-fields.js';

/** The `X-Forwarded-Tls-Client-Cert` value of a chain (leaf first). */
export function pemHeaderValue(chain: readonly X509Certificate[]): string {
  let out = '';
  for (let i = 0; i < chain.length; i++) {
    if (i > 0) out += ',';
    out += (chain[i] as X509Certificate).raw.toString('base64');
  }
  return out;
}

function writeParts(out: string[], values: readonly string[], prefix: string): void {
  for (const v of values) if (v !== '') out.push(`${prefix}=${v}`);
}

/** Traefik's getSubjectDNInfo / getIssuerDNInfo, without the trailing separator. */
export function dnText(o: PassTlsClientCertDnOptions, dn: DnFields, withOu: boolean): string {
  const parts: string[] = [];
  // Traefik writes every DC attribute, even an empty one.
  if (o.domainComponent) for (const dc of dn.domainComponents) parts.push(`DC=${dc}`);
  if (o.country) writeParts(parts, dn.country, 'C');
  if (o.province) writeParts(parts, dn.province, 'ST');
  if (o.locality) writeParts(parts, dn.locality, 'L');
  if (o.organization) writeParts(parts, dn.organization, 'O');
  if (withOu && o.organizationalUnit) writeParts(parts, dn.organizationalUnit, 'OU');
  if (o.serialNumber && dn.serialNumber !== '') parts.push(`SN=${dn.serialNumber}`);
  if (o.commonName && dn.commonName !== '') parts.push(`CN=${dn.commonName}`);
  return parts.join(',');
}

/** One certificate's fields, unescaped (Traefik's getCertInfo for one certificate). */
export function certInfoText(o: PassTlsClientCertInfoOptions, c: CertFields): string {
  const values: string[] = [];
  if (o.subject !== undefined) {
    const s = dnText(o.subject, c.subject, true);
    if (s !== '') values.push(`Subject="${s}"`);
  }
  if (o.issuer !== undefined) {
    const s = dnText(o.issuer, c.issuer, false);
    if (s !== '') values.push(`Issuer="${s}"`);
  }
  if (o.serialNumber && c.serialNumber !== '') values.push(`SerialNumber="${c.serialNumber}"`);
  if (o.notBefore) values.push(`NB="${c.notBefore}"`);
  if (o.notAfter) values.push(`NA="${c.notAfter}"`);
  if (o.sans && c.sans.length > 0) values.push(`SAN="${c.sans.join(',')}"`);
  return values.join(';');
}

const UNRESERVED = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[ch.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

/** Go's url.QueryEscape over UTF-8 bytes: unreserved kept, space as `+`, the rest %XX. */
export function goQueryEscape(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b < 128 && UNRESERVED[b] === 1) out += String.fromCharCode(b);
    else if (b === 32) out += '+';
    else out += '%' + (HEX[b >> 4] as string) + (HEX[b & 15] as string);
  }
  return out;
}

/** The `X-Forwarded-Tls-Client-Cert-Info` value of a chain (leaf first), escaped. */
export function infoHeaderValue(o: PassTlsClientCertInfoOptions, chain: readonly X509Certificate[]): string {
  const perCert: string[] = [];
  for (const cert of chain) perCert.push(certInfoText(o, readCertFields(cert.raw)));
  return goQueryEscape(perCert.join(','));
}
