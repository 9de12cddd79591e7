/**
 * Go's http.DetectContentType (the WHATWG MIME sniffing subset Go implements), for the
 * contentType middleware (and compress, which sniffs a missing Content-Type too): looks at no
 * more than the first 512 bytes and always answers, `application/octet-stream` at worst.
 */

type Sig = (data: Uint8Array, firstNonWS: number) => string | undefined;

const SNIFF_LEN = 512;

function bytesOf(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** `<TAG` (case-insensitive, after leading white space) followed by a space or `>`. */
function htmlSig(tag: string): Sig {
  const h = bytesOf(tag);
  return (data, ws) => {
    if (data.length - ws < h.length + 1) return undefined;
    for (let i = 0; i < h.length; i++) {
      const b = h[i] ?? 0;
      let db = data[ws + i] ?? 0;
      if (b >= 0x41 && b <= 0x5a) db &= 0xdf;
      if (b !== db) return undefined;
    }
    const tt = data[ws + h.length];
    return tt === 0x20 || tt === 0x3e ? 'text/html; charset=utf-8' : undefined;
  };
}

function maskedSig(mask: string, pattern: string, ct: string, skipWS = false): Sig {
  const m = bytesOf(mask);
  const p = bytesOf(pattern);
  return (data, ws) => {
    const start = skipWS ? ws : 0;
    if (data.length - start < p.length) return undefined;
    for (let i = 0; i < p.length; i++) {
      if (((data[start + i] ?? 0) & (m[i] ?? 0)) !== p[i]) return undefined;
    }
    return ct;
  };
}

function exactSig(pattern: string, ct: string): Sig {
  const p = bytesOf(pattern);
  return (data) => {
    if (data.length < p.length) return undefined;
    for (let i = 0; i < p.length; i++) if (data[i] !== p[i]) return undefined;
    return ct;
  };
}

/** ISO base media file with an `ftyp` box naming an `mp4` brand. */
const mp4Sig: Sig = (data) => {
  if (data.length < 12) return undefined;
  const boxSize = (((data[0] ?? 0) << 24) | ((data[1] ?? 0) << 16) | ((data[2] ?? 0) << 8) | (data[3] ?? 0)) >>> 0;
  if (data.length < boxSize || boxSize % 4 !== 0) return undefined;
  if (data[4] !== 0x66 || data[5] !== 0x74 || data[6] !== 0x79 || data[7] !== 0x70) return undefined; // ftyp
  for (let st = 8; st < boxSize; st += 4) {
    if (st === 12) continue; // the major brand's version number
    if (data[st] === 0x6d && data[st + 1] === 0x70 && data[st + 2] === 0x34) return 'video/mp4';
  }
  return undefined;
};

/** No byte that is binary data per the WHATWG spec. */
const textSig: Sig = (data, ws) => {
  for (let i = ws; i < data.length; i++) {
    const b = data[i] ?? 0;
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return undefined;
  }
  return 'text/plain; charset=utf-8';
};

const FF4_00_4_FF4 = '\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF';
const NUL34 = '\x00'.repeat(34);

/** In Go's order: the first signature that matches wins. */
const SIGNATURES: readonly Sig[] = [
  ...['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'].map(htmlSig),
  maskedSig('\xFF\xFF\xFF\xFF\xFF', '<?xml', 'text/xml; charset=utf-8', true),
  exactSig('%PDF-', 'application/pdf'),
  exactSig('%!PS-Adobe-', 'application/postscript'),
  // UTF BOMs
  maskedSig('\xFF\xFF\x00\x00', '\xFE\xFF\x00\x00', 'text/plain; charset=utf-16be'),
  maskedSig('\xFF\xFF\x00\x00', '\xFF\xFE\x00\x00', 'text/plain; charset=utf-16le'),
  maskedSig('\xFF\xFF\xFF\x00', '\xEF\xBB\xBF\x00', 'text/plain; charset=utf-8'),
  // images
  exactSig('\x00\x00\x01\x00', 'image/x-icon'),
  exactSig('\x00\x00\x02\x00', 'image/x-icon'),
  exactSig('BM', 'image/bmp'),
  exactSig('GIF87a', 'image/gif'),
  exactSig('GIF89a', 'image/gif'),
  maskedSig('\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF', 'RIFF\x00\x00\x00\x00WEBPVP', 'image/webp'),
  exactSig('\x89PNG\x0D\x0A\x1A\x0A', 'image/png'),
  exactSig('\xFF\xD8\xFF', 'image/jpeg'),
  // audio and video
  maskedSig(FF4_00_4_FF4, 'FORM\x00\x00\x00\x00AIFF', 'audio/aiff'),
  maskedSig('\xFF\xFF\xFF', 'ID3', 'audio/mpeg'),
  maskedSig('\xFF\xFF\xFF\xFF\xFF', 'OggS\x00', 'application/ogg'),
  maskedSig('\xFF'.repeat(8), 'MThd\x00\x00\x00\x06', 'audio/midi'),
  maskedSig(FF4_00_4_FF4, 'RIFF\x00\x00\x00\x00AVI ', 'video/avi'),
  maskedSig(FF4_00_4_FF4, 'RIFF\x00\x00\x00\x00WAVE', 'audio/wave'),
  mp4Sig,
  exactSig('\x1A\x45\xDF\xA3', 'video/webm'),
  // fonts
  maskedSig(NUL34 + '\xFF\xFF', NUL34 + 'LP', 'application/vnd.ms-fontobject'),
  exactSig('\x00\x01\x00\x00', 'font/ttf'),
  exactSig('OTTO', 'font/otf'),
  exactSig('ttcf', 'font/collection'),
  exactSig('wOFF', 'font/woff'),
  exactSig('wOF2', 'font/woff2'),
  // archives
  exactSig('\x1F\x8B\x08', 'application/x-gzip'),
  exactSig('PK\x03\x04', 'application/zip'),
  exactSig('Rar!\x1A\x07\x00', 'application/x-rar-compressed'),
  exactSig('Rar!\x1A\x07\x01\x00', 'application/x-rar-compressed'),
  exactSig('\x00\x61\x73\x6D', 'application/wasm'),
  textSig,
];

function isWS(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
}

/** The Content-Type Go would send for a body starting with `data`. */
export function detectContentType(data: Uint8Array): string {
  const d = data.length > SNIFF_LEN ? data.subarray(0, SNIFF_LEN) : data;
  let ws = 0;
  while (ws < d.length && isWS(d[ws] ?? 0)) ws++;
  for (const sig of SIGNATURES) {
    const ct = sig(d, ws);
    if (ct !== undefined) return ct;
  }
  return 'application/octet-stream';
}
