/**
 * The HTTP/2 client connection preface (RFC 9113 §3.4), for the entry point's listener: a plain
 * connection that starts with it speaks h2c with prior knowledge and goes to the HTTP/2 front end.
 */

/** `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, 24 bytes. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * True when `chunk` (the first bytes read from a plain connection) is the HTTP/2 preface, or a
 * PREFIX of it: TCP may deliver the preface in pieces, so a chunk shorter than 24 bytes that
 * matches so far also gives true. Such a short match is not yet certain (an HTTP/1.1 request line
 * `PRI * HTTP/1.1` shares the first 11 bytes): when `chunk.length < HTTP2_PREFACE.length` the
 * listener should read more and ask again with the bytes joined. False for an empty chunk.
 */
export function isHttp2Preface(chunk: Buffer): boolean {
  const n = chunk.length < HTTP2_PREFACE.length ? chunk.length : HTTP2_PREFACE.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (chunk[i] !== HTTP2_PREFACE[i]) return false;
  return true;
}
