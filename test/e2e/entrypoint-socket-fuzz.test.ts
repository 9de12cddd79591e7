/**
 * Differential fuzzing of the raw-socket front end's request-head parser against Node's llhttp
 * (a real node:http server on 127.0.0.1, strict mode): random valid and invalid heads go to both;
 * both must accept or both refuse, and an accepted head must read the same method, target and
 * header fields. Known, intended differences are excluded from the generator: llhttp accepts
 * only the methods it knows (we accept any token method, as Go does).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, METHODS, type Server } from 'node:http';
import { connect } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseHead, scanHead } from '../../src/entrypoints/socket/request-parser.js';

interface Verdict {
  readonly accepted: boolean;
  readonly method?: string;
  readonly target?: string;
  readonly raw?: readonly string[];
  readonly version?: string;
}

/** What our parser makes of `head` (no limits in play). */
function ours(head: string): Verdict {
  const buf = Buffer.from(head, 'latin1');
  const end = scanHead(buf, 0, 0, buf.length);
  if (end !== buf.length) return { accepted: false };
  const p = parseHead(head, 10_000);
  if (typeof p === 'number') return { accepted: false };
  return { accepted: true, method: p.method, target: p.target, raw: p.raw, version: `1.${p.minor}` };
}

/** What node:http (llhttp) makes of `head`: the server echoes what it parsed as JSON. */
function llhttp(port: number, head: string): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    const bound = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer from node:http for ${JSON.stringify(head)}`));
    }, 3000);
    s.setEncoding('latin1');
    s.on('data', (d: string) => (data += d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(bound);
      if (!data.startsWith('HTTP/1.1 200')) {
        resolve({ accepted: false });
        return;
      }
      const at = data.indexOf('X-Parsed: ') + 10;
      const b64 = data.slice(at, data.indexOf('\r\n', at));
      const parsed = JSON.parse(Buffer.from(b64, 'base64').toString('latin1')) as Verdict;
      // llhttp reads a request line without version as HTTP/0.9; the front ends refuse those (400).
      resolve(parsed.version === '0.9' ? { accepted: false } : { ...parsed, accepted: true });
    });
    s.write(Buffer.from(head, 'latin1'));
  });
}

const TOKEN_CHARS = "abcXYZ019!#$%&'*+-.^_`|~".split('');
const VALUE_CHARS = ['a', 'Z', '0', ' ', '\t', '"', '(', ',', ';', '=', '~', '\xe9', '\xff', '\x80'];
const TARGET_CHARS = ['a', '/', '?', '=', '&', '%', '2', '0', '.', '~', ':', '@', '!', '$'];
const BAD_BYTES = ['\x00', '\x01', '\x7f', '\r', '\n', ' ', '\t', '\x0b', '(', '"', '\xe9'];

const token = fc.array(fc.constantFrom(...TOKEN_CHARS), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
/** Mostly valid, sometimes with one bad byte inserted (not before `keep` leading characters). */
function maybeBroken(valid: fc.Arbitrary<string>, keep = 0): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...BAD_BYTES), fc.nat())
        .map(([s, b, at]) => {
          const i = Math.min(s.length, keep + (at % (s.length + 1)));
          return s.slice(0, i) + b + s.slice(i);
        }),
    },
  );
}

const method = maybeBroken(fc.constantFrom(...METHODS.filter((m) => m !== 'CONNECT')));
const target = maybeBroken(
  fc.array(fc.constantFrom(...TARGET_CHARS), { maxLength: 12 }).map((a) => '/' + a.join('')),
  1, // the target's shape (origin form) is prepareTarget's business, not the parser's
);
const version = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/1.2', 'http/1.1', 'HTTP/1', 'HTTP/11', 'HTTP/1.1 ', 'HTTP/x.1') },
);
const value = fc.array(fc.constantFrom(...VALUE_CHARS), { maxLength: 10 }).map((a) => a.join(''));
const field = fc.tuple(
  maybeBroken(token.filter((t) => !['content-length', 'transfer-encoding', 'host'].includes(t.toLowerCase()))),
  fc.oneof({ weight: 8, arbitrary: fc.constant(':') }, { weight: 1, arbitrary: fc.constantFrom(' :', '') }),
  maybeBroken(value),
  fc.oneof({ weight: 12, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constantFrom('\n', '\r\n ', '\r\n\t') }),
);
const head = fc
  .tuple(method, target, version, fc.array(field, { maxLength: 6 }), fc.constantFrom('\r\n', '\r\n', '\r\n', '\n'))
  .map(([m, t, v, fields, eol]) => {
    let h = `${m} ${t} ${v}${eol}Host: h${eol}`;
    for (const [n, sep, val, e] of fields) h += `${n}${sep}${val}${e}`;
    return h + eol;
  })
  // A head that does not end in CRLFCRLF keeps llhttp waiting: only complete heads are compared.
  .filter((h) => h.endsWith('\r\n\r\n') && !/\r\n[ \t]+\r\n\r\n$/.test(h))
  // Intended differences: llhttp takes several spaces between request-line parts and skips a
  // bare CR or LF before the request line; we refuse both, as Go does.
  .filter((h) => !/^[^\r\n]* {2}/.test(h) && !/^[\r\n]/.test(h));

void describe('socket front end: request-head parser vs llhttp (differential)', () => {
  let server: Server;
  let port = 0;

  before(async () => {
    server = createServer({ insecureHTTPParser: false, requireHostHeader: false }, (req, res) => {
      // In a header (base64 of latin1 JSON), so that HEAD requests carry it too.
      const parsed = Buffer.from(JSON.stringify({ method: req.method, target: req.url, raw: req.rawHeaders, version: req.httpVersion }), 'latin1');
      res.writeHead(200, { 'X-Parsed': parsed.toString('base64'), 'Content-Length': 0, Connection: 'close' });
      res.end();
    });
    server.on('clientError', (_err, socket) => {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  void it('accept/refuse and the parsed head agree with llhttp', async () => {
    await fc.assert(
      fc.asyncProperty(head, async (h) => {
        const a = ours(h);
        const b = await llhttp(port, h);
        if (process.env['FUZZ_COLLECT'] !== undefined) {
          if (!isDeepStrictEqual(a, b)) console.log(JSON.stringify(h), a.accepted, b.accepted);
          return;
        }
        assert.deepEqual(a, b, JSON.stringify(h));
      }),
      { numRuns: process.env['FUZZ_COLLECT'] !== undefined ? 3000 : 400, seed: Number(process.env['FUZZ_SEED'] ?? 20261126) },
    );
  });
});
