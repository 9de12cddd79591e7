/**
 * Strict decoder for a `Transfer-Encoding: chunked` request body: hex sizes (no whitespace),
 * chunk extensions skipped (no control bytes), CRLF everywhere (a bare LF is an error), trailer
 * fields read and dropped, bounded in size. Data is handed out as sub-slices of the input.
 */

const enum St {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  Trailer,
  TrailerLf,
  EndLf,
  Done,
}

/** Receives decoded body bytes (slices of the input buffer). */
export interface ChunkSink {
  pushBody(chunk: Buffer): void;
}

/** Sizes up to 2^52: more is refused (and no real body comes close). */
const MAX_SIZE_DIGITS = 13;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class ChunkedDecoder {
  #st: St = St.Size;
  #size = 0;
  #digits = 0;
  #trailerBytes = 0;
  readonly #maxTrailerBytes: number;

  constructor(maxTrailerBytes: number) {
    this.#maxTrailerBytes = maxTrailerBytes;
  }

  get done(): boolean {
    return this.#st === St.Done;
  }

  /**
   * Decode `buf[start, end)`; returns the index where decoding stopped (`end`, or just past the
   * final CRLF when the body is complete), or -1 on malformed input.
   */
  decode(buf: Buffer, start: number, end: number, sink: ChunkSink): number {
    let i = start;
    while (i < end) {
      switch (this.#st) {
        case St.Size: {
          const c = buf[i] as number;
          const h = hexValue(c);
          if (h >= 0) {
            if (++this.#digits > MAX_SIZE_DIGITS) return -1;
            this.#size = this.#size * 16 + h;
            i++;
          } else if (this.#digits === 0) {
            return -1;
          } else if (c === 13) {
            this.#st = St.SizeLf;
            i++;
          } else if (c === 59) {
            this.#st = St.Ext;
            i++;
          } else {
            return -1;
          }
          break;
        }
        case St.Ext: {
          const c = buf[i] as number;
          if (c === 13) this.#st = St.SizeLf;
          else if ((c < 32 && c !== 9) || c === 127) return -1;
          i++;
          break;
        }
        case St.SizeLf:
          if (buf[i] !== 10) return -1;
          i++;
          this.#digits = 0;
          this.#st = this.#size === 0 ? St.TrailerStart : St.Data;
          break;
        case St.Data: {
          const n = Math.min(this.#size, end - i);
          sink.pushBody(buf.subarray(i, i + n));
          i += n;
          this.#size -= n;
          if (this.#size === 0) this.#st = St.DataCr;
          break;
        }
        case St.DataCr:
          if (buf[i] !== 13) return -1;
          i++;
          this.#st = St.DataLf;
          break;
        case St.DataLf:
          if (buf[i] !== 10) return -1;
          i++;
          this.#st = St.Size;
          break;
        case St.TrailerStart:
          if (buf[i] === 13) {
            this.#st = St.EndLf;
          } else {
            this.#st = St.Trailer;
            continue;
          }
          i++;
          break;
        case St.Trailer: {
          const c = buf[i] as number;
          if (++this.#trailerBytes > this.#maxTrailerBytes) return -1;
          if (c === 13) this.#st = St.TrailerLf;
          else if ((c < 32 && c !== 9) || c === 127) return -1;
          i++;
          break;
        }
        case St.TrailerLf:
          if (buf[i] !== 10) return -1;
          i++;
          this.#st = St.TrailerStart;
          break;
        case St.EndLf:
          if (buf[i] !== 10) return -1;
          this.#st = St.Done;
          return i + 1;
        case St.Done:
          return i;
      }
    }
    return i;
  }
}
