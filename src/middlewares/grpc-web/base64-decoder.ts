/**
 * Decodes an `application/grpc-web-text` request body (standard base64) as it streams. Clients
 * may pad each message separately, so padding is accepted at the end of any 4-character group,
 * not only at the very end (a superset of Go's base64 decoder, which Traefik uses). CR and LF
 * are skipped as Go does; any other character outside the alphabet fails the stream.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Whole groups: 4 alphabet characters, or a padded last group of a message. */
const GROUPS = /^(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)*$/;
const NEWLINES = /[\r\n]/g;

export class Base64BodyDecoder extends Transform {
  private carry = '';

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let text = this.carry + chunk.toString('latin1');
    if (text.includes('\n') || text.includes('\r')) text = text.replace(NEWLINES, '');
    const whole = text.length - (text.length % 4);
    this.carry = text.slice(whole);
    const out = decodeGroups(text.slice(0, whole));
    if (out === null) {
      cb(new Error('grpc-web-text request body is not valid base64'));
      return;
    }
    if (out.length > 0) this.push(out);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    const rest = this.carry;
    this.carry = '';
    if (rest === '') {
      cb();
      return;
    }
    // An unpadded tail of 2 or 3 characters still carries whole bytes; 1 character cannot.
    const out = rest.length === 1 ? null : decodeGroups(rest + '='.repeat(4 - rest.length));
    if (out === null) cb(new Error('grpc-web-text request body is not valid base64'));
    else {
      if (out.length > 0) this.push(out);
      cb();
    }
  }
}

/** Decodes whole 4-character groups, padding allowed at the end of any group; null when invalid. */
export function decodeGroups(groups: string): Buffer | null {
  if (groups === '') return Buffer.alloc(0);
  if (!GROUPS.test(groups)) return null;
  let pad = groups.indexOf('=');
  if (pad < 0) return Buffer.from(groups, 'base64');
  const parts: Buffer[] = [];
  let start = 0;
  while (pad >= 0) {
    const end = (pad & ~3) + 4;
    parts.push(Buffer.from(groups.slice(start, end), 'base64'));
    start = end;
    pad = groups.indexOf('=', end);
  }
  if (start < groups.length) parts.push(Buffer.from(groups.slice(start), 'base64'));
  return Buffer.concat(parts);
}
