/**
 * Traefik's "file or content" values (`certFile`, `keyFile`, `caFiles[]`): an inline PEM block
 * when the value holds one, else a file path read from disk.
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
