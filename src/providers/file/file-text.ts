/**
 * A file's text as the file provider keeps it between reads, and how the bytes of a new read are
 * compared with it without decoding the whole file.
 *
 * Each save of a 2 MB file used to be decoded whole and compared as a string: a 2 MB string in V8's
 * old generation per save, most of what brought on a full GC (a 15-25 ms pause under load) every few
 * saves. Now the new bytes are compared with the kept text encoded a chunk at a time into one small
 * scratch buffer, and only the part between the common start and the common end is decoded.
 *
 * The kept text is a list of pieces: the text first parsed, cut where edits went in, and the edited
 * parts. An edit adds at most two pieces and copies none of the rest of the file; past MAX_PIECES
 * they are joined into one string.
 *
 * A large text is packed once its file has gone a while unchanged (pack(), called by the file
 * provider): its UTF-8, deflated on libuv's thread pool, is all that stays, off the V8 heap. The
 * pieces are made again when next asked for: unpack() inflates on the thread pool too, ahead of a
 * read; a text asked for while packed is inflated at once. With 100,000 routers the file is ~19 MB
 * of text, ~190 B per router and service kept for nothing between saves; deflated it is ~1.2 MB
 * (docs/benchmarks.md, session 12).
 */
import { promisify } from 'node:util';
import { createInflate, deflate, inflate, inflateSync } from 'node:zlib';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/**
 * Texts shorter than this stay as they are: packing one costs about as much CPU per save as a
 * large one saves memory per router, and a small file's text is a few KB.
 */
export const PACK_MIN_LENGTH = 64 * 1024;

/** Inflated bytes per comparison step of sameBytes. */
const COMPARE_CHUNK = 256 * 1024;

/**
 * Pieces kept before they are joined (each edit adds at most two): some 4,000 edits. Joined, the
 * text is a second copy of the file beside the parser's (which the objects' strings slice) until
 * the next whole read.
 */
const MAX_PIECES = 8192;

/** Characters encoded and compared at a time; the scratch holds their UTF-8 (3 bytes each at most). */
const CHUNK = 4096;
const scratch = Buffer.allocUnsafeSlow(CHUNK * 3);
const encoder = new TextEncoder();

export class TextRope {
  /** Undefined while packed (see pack()); then #packed holds the text. */
  #pieces: readonly string[] | undefined;
  /** Where each piece starts in the text. */
  #starts: readonly number[] | undefined;
  /** The text's UTF-8, deflated, once packed: the same text for the rope's life. */
  #packed: Buffer | undefined;
  #packing: Promise<void> | undefined;
  /** Counts the reads of the pieces: a deflate that ends after one keeps them (see pack()). */
  #reads = 0;
  readonly length: number;

  private constructor(pieces: readonly string[], length: number) {
    this.#setPieces(pieces);
    this.length = length;
  }

  static of(text: string): TextRope {
    return new TextRope(text.length === 0 ? [] : [text], text.length);
  }

  #setPieces(pieces: readonly string[]): void {
    const starts = new Array<number>(pieces.length);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      starts[i] = at;
      at += (pieces[i] as string).length;
    }
    this.#pieces = pieces;
    this.#starts = starts;
  }

  /** The pieces, inflated at once when the text is packed (unpack() does it off the main thread). */
  #load(): { readonly pieces: readonly string[]; readonly starts: readonly number[] } {
    this.#reads++;
    if (this.#pieces === undefined || this.#starts === undefined) {
      // Packed: the text is the inflated bytes (which are its exact UTF-8: it was decoded from a
      // file or spliced from decoded parts, so it holds no lone surrogate).
      const text = inflateSync(this.#packed as Buffer).toString('utf8');
      this.#setPieces(text.length === 0 ? [] : [text]);
    }
    return { pieces: this.#pieces as readonly string[], starts: this.#starts as readonly number[] };
  }

  get pieces(): readonly string[] {
    return this.#load().pieces;
  }

  /** Whether the text is held packed only (its pieces let go). */
  get packed(): boolean {
    return this.#pieces === undefined;
  }

  /**
   * Keeps the text deflated and lets go of its pieces (a text under PACK_MIN_LENGTH is left as it
   * is). The deflate runs on the thread pool; the pieces stay usable until it ends, and are made
   * again when next asked for. Safe at any time: the text never changes.
   */
  pack(): Promise<void> {
    if (this.length < PACK_MIN_LENGTH) return Promise.resolve();
    if (this.#packed !== undefined) {
      this.#pieces = undefined;
      this.#starts = undefined;
      return Promise.resolve();
    }
    const reads = this.#reads + 1; // toString() below reads once
    this.#packing ??= deflateAsync(Buffer.from(this.toString(), 'utf8'), { level: 1 }).then(
      (packed) => {
        this.#packed = packed;
        // Read since (a translation started while the deflate ran): the pieces stay until the
        // next pack(), rather than being inflated again at once on the main thread.
        if (this.#reads !== reads) return;
        this.#pieces = undefined;
        this.#starts = undefined;
      },
      () => {
        // Out of memory, say: the text stays as it is.
        this.#packing = undefined;
      },
    );
    return this.#packing;
  }

  /**
   * Whether `bytes` is this text's UTF-8, for a packed text: inflated on the thread pool a chunk at
   * a time and compared as it comes, so that a read that finds the file unchanged (a write to
   * another file of the watched folder) makes no copy of the text. Undefined when the text is not
   * packed: diffBytes compares it then.
   */
  async sameBytes(bytes: Buffer): Promise<boolean | undefined> {
    const packed = this.#packed;
    if (this.#pieces !== undefined || packed === undefined) return undefined;
    return new Promise<boolean>((resolve) => {
      const inflater = createInflate({ chunkSize: COMPARE_CHUNK });
      let at = 0;
      const done = (same: boolean): void => {
        inflater.removeAllListeners('data');
        inflater.destroy();
        resolve(same);
      };
      inflater.on('data', (chunk: Buffer) => {
        if (at + chunk.length > bytes.length || bytes.compare(chunk, 0, chunk.length, at, at + chunk.length) !== 0) done(false);
        else at += chunk.length;
      });
      inflater.on('end', () => done(at === bytes.length));
      inflater.on('error', () => done(false));
      inflater.end(packed);
    });
  }

  /** Makes the pieces of a packed text ready, inflated on the thread pool (see pack()). */
  async unpack(): Promise<void> {
    this.#reads++;
    const packed = this.#packed;
    if (this.#pieces !== undefined || packed === undefined) return;
    const text = (await inflateAsync(packed)).toString('utf8');
    if (this.#pieces === undefined) this.#setPieces(text.length === 0 ? [] : [text]);
  }

  /** The piece holding character `at` (the last piece for the text's end). */
  #pieceAt(starts: readonly number[], at: number): number {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The text from `from` to `to` (meant for short parts: the pieces it spans are joined). */
  slice(from: number, to: number): string {
    if (to <= from) return '';
    const { pieces, starts } = this.#load();
    let i = this.#pieceAt(starts, from);
    let out = '';
    while (i < pieces.length) {
      const start = starts[i] as number;
      if (start >= to) break;
      const piece = pieces[i] as string;
      out += piece.slice(Math.max(0, from - start), Math.min(piece.length, to - start));
      i++;
    }
    return out;
  }

  /** This text with `from` to `to` replaced by `insert`. */
  spliced(from: number, to: number, insert: string): TextRope {
    const { pieces: own, starts } = this.#load();
    const pieces: string[] = [];
    let inserted = insert === '';
    for (let i = 0; i < own.length; i++) {
      const piece = own[i] as string;
      const start = starts[i] as number;
      const end = start + piece.length;
      if (end <= from) {
        pieces.push(piece);
        continue;
      }
      if (start < from) pieces.push(piece.slice(0, from - start));
      if (!inserted) {
        pieces.push(insert);
        inserted = true;
      }
      if (end > to) pieces.push(start >= to ? piece : piece.slice(to - start));
    }
    if (!inserted) pieces.push(insert);
    const rope = new TextRope(pieces, this.length - (to - from) + insert.length);
    return pieces.length > MAX_PIECES ? TextRope.of(rope.toString()) : rope;
  }

  /** The whole text as one string (a copy of the file: for the rare careful parse). */
  toString(): string {
    const { pieces } = this.#load();
    return pieces.length === 1 ? (pieces[0] as string) : pieces.join('');
  }
}

/**
 * Where new bytes differ from a kept text: the common start and end, in characters of the text and
 * in bytes of the new read. The new text is the kept one with the characters between the two
 * replaced by the bytes between them, decoded. Both ends fall on character boundaries of the new
 * bytes, since they hold the exact UTF-8 of whole characters of the kept text.
 */
export interface TextDiff {
  readonly prefix: number;
  readonly prefixBytes: number;
  readonly suffix: number;
  readonly suffixBytes: number;
}

/** UTF-8 length of the character at `i` (a pair of surrogates counts 4 for both; a lone one, as U+FFFD, 3). */
function utf8Length(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 4;
  }
  return 3;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * How `bytes` differs from `text` encoded as UTF-8, or undefined when they are the same. The common
 * parts found are exact for valid UTF-8; a byte sequence the decoder replaced (with U+FFFD) ends
 * them early, which is safe: the middle is then longer than it needs to be.
 */
export function diffBytes(text: TextRope, bytes: Buffer): TextDiff | undefined {
  const pieces = text.pieces;
  // From the start.
  let prefix = 0;
  let prefixBytes = 0;
  let stopped = false;
  for (let p = 0; p < pieces.length && !stopped; p++) {
    const piece = pieces[p] as string;
    let o = 0;
    while (o < piece.length) {
      let end = Math.min(piece.length, o + CHUNK);
      // Do not cut a surrogate pair (each half would encode as U+FFFD).
      if (end < piece.length && end - o > 1 && isHighSurrogate(piece.charCodeAt(end - 1))) end--;
      const chunk = piece.slice(o, end);
      const { written } = encoder.encodeInto(chunk, scratch);
      const room = bytes.length - prefixBytes;
      if (written <= room && equalRange(bytes, prefixBytes, written)) {
        prefix += chunk.length;
        prefixBytes += written;
        o = end;
        continue;
      }
      // The first difference is in this chunk: count the whole characters before it.
      const same = firstDifference(bytes, prefixBytes, Math.min(written, room));
      let bytesIn = 0;
      let i = 0;
      while (i < chunk.length) {
        const n = utf8Length(chunk, i);
        if (bytesIn + n > same) break;
        bytesIn += n;
        i += n === 4 ? 2 : 1;
      }
      prefix += i;
      prefixBytes += bytesIn;
      stopped = true;
      break;
    }
  }
  if (prefix === text.length && prefixBytes === bytes.length) return undefined;
  // From the end, not overlapping the common start.
  const maxChars = text.length - prefix;
  const maxBytes = bytes.length - prefixBytes;
  let suffix = 0;
  let suffixBytes = 0;
  stopped = false;
  for (let p = pieces.length - 1; p >= 0 && !stopped; p--) {
    const piece = pieces[p] as string;
    let e = piece.length;
    while (e > 0) {
      let start = Math.max(0, e - CHUNK, e - (maxChars - suffix));
      if (start >= e) {
        stopped = true;
        break;
      }
      if (start > 0 && e - start > 1 && isLowSurrogate(piece.charCodeAt(start))) start++;
      const chunk = piece.slice(start, e);
      const { written } = encoder.encodeInto(chunk, scratch);
      const room = maxBytes - suffixBytes;
      const at = bytes.length - suffixBytes - written;
      if (written <= room && equalRange(bytes, at, written)) {
        suffix += chunk.length;
        suffixBytes += written;
        e = start;
        continue;
      }
      // The last difference is in this chunk: count the whole characters after it.
      const same = lastDifference(bytes, bytes.length - suffixBytes, written, Math.min(written, room));
      let bytesIn = 0;
      let i = chunk.length;
      while (i > 0) {
        const pair = i >= 2 && isLowSurrogate(chunk.charCodeAt(i - 1)) && isHighSurrogate(chunk.charCodeAt(i - 2));
        const n = pair ? 4 : utf8Length(chunk, i - 1);
        if (bytesIn + n > same) break;
        bytesIn += n;
        i -= pair ? 2 : 1;
      }
      suffix += chunk.length - i;
      suffixBytes += bytesIn;
      stopped = true;
      break;
    }
  }
  return { prefix, prefixBytes, suffix, suffixBytes };
}

/** Whether `bytes` from `at` holds the first `n` bytes of the scratch. */
function equalRange(bytes: Buffer, at: number, n: number): boolean {
  if (at < 0 || at + n > bytes.length) return false;
  return bytes.compare(scratch, 0, n, at, at + n) === 0;
}

/** How many leading bytes of the scratch `bytes` from `at` repeats (at most `n`). */
function firstDifference(bytes: Buffer, at: number, n: number): number {
  let k = 0;
  while (k < n && scratch[k] === bytes[at + k]) k++;
  return k;
}

/**
 * How many trailing bytes of the scratch's first `written` bytes `bytes` repeats just before `end`
 * (at most `n`).
 */
function lastDifference(bytes: Buffer, end: number, written: number, n: number): number {
  let k = 0;
  while (k < n && scratch[written - 1 - k] === bytes[end - 1 - k]) k++;
  return k;
}

/** The new text's middle: the bytes between the common start and end, decoded. */
export function middleOf(bytes: Buffer, diff: TextDiff): string {
  return bytes.toString('utf8', diff.prefixBytes, bytes.length - diff.suffixBytes);
}
