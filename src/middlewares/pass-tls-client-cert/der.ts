/**
 * The few DER reading primitives x509-fields.ts needs: tag-length-value elements (low tag numbers,
 * definite lengths), their children, object identifiers and the ASN.1 string types Go accepts in
 * certificate names. Malformed input throws DerError.
 */

export interface Tlv {
  readonly tag: number;
  /** Start of the value. */
  readonly start: number;
  /** End of the value (exclusive). */
  readonly end: number;
}

export class DerError extends Error {}

export function readTlv(buf: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new DerError('truncated DER element');
  const tag = buf[at] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high-tag-number DER element');
  let len = buf[at + 1] as number;
  let pos = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] as number);
    pos += n;
  }
  if (pos + len > limit) throw new DerError('DER element longer than its container');
  return { tag, start: pos, end: pos + len };
}

/** The children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const t = readTlv(buf, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}

export function oidText(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    const b = buf[i] as number;
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const TAG_UTF8 = 0x0c;
const TAG_NUMERIC = 0x12;
const TAG_PRINTABLE = 0x13;
const TAG_T61 = 0x14;
const TAG_IA5 = 0x16;
const TAG_BMP = 0x1e;

/** Go's parseASN1String: the string types a certificate name may use; others are rejected by Go. */
export function asn1String(buf: Uint8Array, t: Tlv): string | undefined {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);
  switch (t.tag) {
    case TAG_UTF8:
    case TAG_PRINTABLE:
    case TAG_NUMERIC:
    case TAG_IA5:
      return bytes.toString('utf8');
    case TAG_T61:
      // Go keeps T61 bytes as they are; latin1 maps each byte to one character, so escaping
      // the UTF-8 of the result differs from Go only for bytes >= 0x80 (rare, legacy).
      return bytes.toString('latin1');
    case TAG_BMP: {
      const swapped = Buffer.from(bytes);
      if (swapped.length % 2 === 1) return undefined;
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    default:
      return undefined;
  }
}
