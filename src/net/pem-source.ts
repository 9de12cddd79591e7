/**
 * Traefik's "file or content" values (`certFile`, `keyFile`, `caFiles[]`, serversTransport
 * `rootCAs` and `certificates`, forwardAuth `tls`): an inline PEM block when the value holds one,
 * else a file path read from disk. Read while a configuration is built, never per request.
 */
import { readFileSync } from 'node:fs';

export function isInlinePem(value: string): boolean {
  return value.includes('-----BEGIN');
}

/** What a value is, for messages: the file path, or "inline PEM". */
export function describeSource(value: string): string {
  return isInlinePem(value) ? 'inline PEM' : `file "${value}"`;
}

/** The PEM text: the value itself when inline, else the file's content. Throws a readable Error. */
export function readPem(value: string): string {
  if (isInlinePem(value)) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read file "${value}"${code ? ` (${code})` : ''}`, { cause: err });
  }
}

/**
 * The PEM text of `value`, which must hold a block of `kind` ('PRIVATE KEY' also matches RSA and
 * EC keys). Errors read `<context>: cannot read "<file>": <reason>` and
 * `<context>: "<value>" holds no PEM certificate|private key`.
 */
export function loadPemOf(value: string, kind: 'CERTIFICATE' | 'PRIVATE KEY', context: string): string {
  let text = value;
  if (!isInlinePem(value)) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`${context}: cannot read "${value}": ${reason}`, { cause: err });
    }
  }
  if (!(kind === 'CERTIFICATE' ? CERTIFICATE_BEGIN : KEY_BEGIN).test(text)) {
    throw new Error(`${context}: "${value.slice(0, 80)}" holds no PEM ${kind === 'CERTIFICATE' ? 'certificate' : 'private key'}`);
  }
  return text;
}

const CERTIFICATE_BEGIN = /-----BEGIN CERTIFICATE-----/;
const KEY_BEGIN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** The PEM blocks of one kind (e.g. CERTIFICATE) in `text`, in order. */
export function pemBlocks(text: string, label: string): string[] {
  const out: string[] = [];
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  let from = 0;
  for (;;) {
    const b = text.indexOf(begin, from);
    if (b < 0) return out;
    const e = text.indexOf(end, b);
    if (e < 0) return out;
    out.push(text.slice(b, e + end.length) + '\n');
    from = e + end.length;
  }
}
