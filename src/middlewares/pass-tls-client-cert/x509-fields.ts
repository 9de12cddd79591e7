/**
 * The certificate fields passTLSClientCert reports, read straight from the DER encoding the way Go's
 * crypto/x509 sees them (Traefik builds its header from Go's parsed certificate):
 * - names: every attribute of every RDN in order; CN and serialNumber keep the LAST value (Go's
 *   pkix.Name.FillFromRDNSequence overwrites them), C/ST/L/O/OU collect every value in order;
 *   domainComponent (0.9.2342.19200300.100.1.25) is reported from the raw attribute list;
 * - the serial number as a signed decimal (Go big.Int String);
 * - validity as Unix seconds (Go Time.Unix, cast to uint64 by Traefik: dates before 1970 wrap);
 * - subject alternative names grouped as Go groups them: DNS names, e-mail addresses, IP
 *   addresses (Go net.IP String), URIs.
 * Node's X509Certificate offers only printed forms (escaped, multi-line), so the DER is parsed
 * here; a malformed certificate throws (Node would not have accepted it in a handshake).
 */
import { type Tlv, DerError, asn1String, children, expect, oidText, readTlv } from './der.js';

/** A distinguished name as Go's pkix.Name keeps it. */
export interface DnFields {
  readonly country: readonly string[];
  readonly province: readonly string[];
  readonly locality: readonly string[];
  readonly organization: readonly string[];
  readonly organizationalUnit: readonly string[];
  /** Last CN attribute, '' when none. */
  readonly commonName: string;
  /** Last serialNumber attribute, '' when none. */
  readonly serialNumber: string;
  /** Every domainComponent attribute, in order. */
  readonly domainComponents: readonly string[];
}

export interface CertFields {
  readonly subject: DnFields;
  readonly issuer: DnFields;
  /** Signed decimal. */
  readonly serialNumber: string;
  /** Unix seconds as Traefik prints them (uint64). */
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  /** DNS, e-mail, IP, URI, in that order. */
  readonly sans: readonly string[];
}

const OID_CN = '2.5.4.3';
const OID_SERIAL = '2.5.4.5';
const OID_C = '2.5.4.6';
const OID_L = '2.5.4.7';
const OID_ST = '2.5.4.8';
const OID_O = '2.5.4.10';
const OID_OU = '2.5.4.11';
const OID_DC = '0.9.2342.19200300.100.1.25';

function readName(buf: Uint8Array, name: Tlv): DnFields {
  const country: string[] = [];
  const province: string[] = [];
  const locality: string[] = [];
  const organization: string[] = [];
  const organizationalUnit: string[] = [];
  const domainComponents: string[] = [];
  let commonName = '';
  let serialNumber = '';
  for (const rdn of children(buf, expect(name, 0x30, 'a Name'))) {
    for (const atv of children(buf, expect(rdn, 0x31, 'an RDN set'))) {
      const [type, value] = children(buf, expect(atv, 0x30, 'an attribute'));
      const oid = oidText(buf, expect(type, 0x06, 'an attribute type'));
      if (value === undefined) continue;
      const text = asn1String(buf, value);
      if (text === undefined) continue;
      switch (oid) {
        case OID_CN:
          commonName = text;
          break;
        case OID_SERIAL:
          serialNumber = text;
          break;
        case OID_C:
          country.push(text);
          break;
        case OID_L:
          locality.push(text);
          break;
        case OID_ST:
          province.push(text);
          break;
        case OID_O:
          organization.push(text);
          break;
        case OID_OU:
          organizationalUnit.push(text);
          break;
        case OID_DC:
          domainComponents.push(text);
          break;
        default:
          break;
      }
    }
  }
  return { country, province, locality, organization, organizationalUnit, commonName, serialNumber, domainComponents };
}

function integerText(buf: Uint8Array, t: Tlv): string {
  if (t.end === t.start) return '0';
  let v = 0n;
  for (let i = t.start; i < t.end; i++) v = (v << 8n) | BigInt(buf[i] as number);
  if (((buf[t.start] as number) & 0x80) !== 0) v -= 1n << BigInt((t.end - t.start) * 8);
  return v.toString();
}

const TWO_64 = 1n << 64n;

function digits(text: string, from: number, n: number): number {
  const s = text.slice(from, from + n);
  if (!/^\d+$/.test(s) || s.length !== n) throw new DerError('bad time');
  return Number(s);
}

/** UTCTime / GeneralizedTime -> Unix seconds as Go's uint64(t.Unix()). */
function timeSeconds(buf: Uint8Array, t: Tlv): bigint {
  const text = Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start).toString('latin1');
  let year: number;
  let pos: number;
  if (t.tag === 0x17) {
    const yy = digits(text, 0, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    pos = 2;
  } else if (t.tag === 0x18) {
    year = digits(text, 0, 4);
    pos = 4;
  } else throw new DerError('expected a time');
  const month = digits(text, pos, 2);
  const day = digits(text, pos + 2, 2);
  const hour = digits(text, pos + 4, 2);
  const minute = digits(text, pos + 6, 2);
  pos += 8;
  let second = 0;
  if (pos < text.length && text[pos] !== 'Z' && text[pos] !== '+' && text[pos] !== '-') {
    second = digits(text, pos, 2);
    pos += 2;
  }
  if (text[pos] === '.') {
    pos++;
    while (pos < text.length && text.charCodeAt(pos) >= 48 && text.charCodeAt(pos) <= 57) pos++;
  }
  let offset = 0;
  if (text[pos] === '+' || text[pos] === '-') {
    const sign = text[pos] === '-' ? -1 : 1;
    offset = sign * (digits(text, pos + 1, 2) * 3600 + digits(text, pos + 3, 2) * 60);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const unix = BigInt(Math.floor(date.getTime() / 1000) - offset);
  return unix < 0n ? unix + TWO_64 : unix;
}

/** Go net.IP String: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6. */
export function goIpString(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) return '?' + Buffer.from(bytes).toString('hex');
  let mapped = bytes[10] === 0xff && bytes[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (bytes[i] !== 0) mapped = false;
  if (mapped) return bytes.subarray(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // Longest run of at least two zero groups (the first one on a tie) becomes '::'.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += (groups[i] as number).toString(16);
  }
  return out;
}

const OID_SAN = '2.5.29.17';

function readSans(buf: Uint8Array, extensions: Tlv | undefined): string[] {
  if (extensions === undefined) return [];
  const list = expect(children(buf, extensions)[0], 0x30, 'extensions');
  const dns: string[] = [];
  const email: string[] = [];
  const ips: string[] = [];
  const uris: string[] = [];
  for (const ext of children(buf, list)) {
    const parts = children(buf, expect(ext, 0x30, 'an extension'));
    if (oidText(buf, expect(parts[0], 0x06, 'an extension id')) !== OID_SAN) continue;
    const value = expect(parts[parts.length - 1], 0x04, 'an extension value');
    const names = readTlv(buf, value.start, value.end);
    for (const gn of children(buf, expect(names, 0x30, 'GeneralNames'))) {
      const raw = Buffer.from(buf.buffer, buf.byteOffset + gn.start, gn.end - gn.start);
      switch (gn.tag) {
        case 0x81:
          email.push(raw.toString('latin1'));
          break;
        case 0x82:
          dns.push(raw.toString('latin1'));
          break;
        case 0x86:
          uris.push(raw.toString('latin1'));
          break;
        case 0x87:
          ips.push(goIpString(raw));
          break;
        default:
          break;
      }
    }
  }
  return [...dns, ...email, ...ips, ...uris];
}

/** Reads the fields of a DER certificate (X509Certificate.raw). Throws on malformed input. */
export function readCertFields(der: Uint8Array): CertFields {
  const cert = expect(readTlv(der, 0, der.length), 0x30, 'a certificate');
  const tbs = expect(children(der, cert)[0], 0x30, 'tbsCertificate');
  const items = children(der, tbs);
  let i = 0;
  if (items[0]?.tag === 0xa0) i++; // [0] version
  const serial = expect(items[i], 0x02, 'a serial number');
  const issuer = expect(items[i + 2], 0x30, 'an issuer');
  const validity = children(der, expect(items[i + 3], 0x30, 'a validity'));
  const subject = expect(items[i + 4], 0x30, 'a subject');
  const extensions = items.slice(i + 6).find((t) => t.tag === 0xa3);
  const notBefore = validity[0];
  const notAfter = validity[1];
  if (notBefore === undefined || notAfter === undefined) throw new DerError('expected a validity');
  return {
    subject: readName(der, subject),
    issuer: readName(der, issuer),
    serialNumber: integerText(der, serial),
    notBefore: timeSeconds(der, notBefore),
    notAfter: timeSeconds(der, notAfter),
    sans: readSans(der, extensions),
  };
}
