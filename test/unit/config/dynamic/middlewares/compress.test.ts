/**
 * The compress reader: Traefik's defaults, and every bad option reported with its key path
 * (the middleware is then left out).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../../src/config/diagnostics.js';
import { validateDynamic } from '../../../../../src/config/dynamic/validate.js';
import type { MiddlewareConfig } from '../../../../../src/config/dynamic/types.js';
import { parseMediaType } from '../../../../../src/config/dynamic/schema/middlewares/media-type.js';

function read(middleware: unknown): { config: MiddlewareConfig | undefined; diagnostics: readonly Diagnostic[] } {
  const r = validateDynamic({ http: { middlewares: { m: middleware } } }, { source: 'dyn.yml' });
  return { config: r.config.http.middlewares['m'], diagnostics: r.diagnostics };
}

const DEFAULTS = { encodings: ['gzip', 'br', 'zstd'], defaultEncoding: '', excludedContentTypes: [], includedContentTypes: [], minResponseBodyBytes: 1024 };

void describe('compress reader', () => {
  const accepted: { desc: string; input: unknown; want: Record<string, unknown> }[] = [
    { desc: 'an empty mapping: Traefik defaults', input: {}, want: DEFAULTS },
    { desc: 'an empty value', input: null, want: DEFAULTS },
    { desc: 'true, as labels write it', input: true, want: DEFAULTS },
    { desc: 'encodings in a chosen order', input: { encodings: ['br', 'gzip'] }, want: { ...DEFAULTS, encodings: ['br', 'gzip'] } },
    { desc: 'a default encoding among them', input: { defaultEncoding: 'gzip' }, want: { ...DEFAULTS, defaultEncoding: 'gzip' } },
    {
      desc: 'excluded types lower-cased, parameters dropped',
      input: { excludedContentTypes: ['Text/Event-Stream', 'image/png; q=1'] },
      want: { ...DEFAULTS, excludedContentTypes: ['text/event-stream', 'image/png'] },
    },
    { desc: 'included types', input: { includedContentTypes: ['text/html'] }, want: { ...DEFAULTS, includedContentTypes: ['text/html'] } },
    { desc: 'a minimum as text (labels)', input: { minResponseBodyBytes: '200' }, want: { ...DEFAULTS, minResponseBodyBytes: 200 } },
    { desc: 'minimum 0 means the default (Traefik)', input: { minResponseBodyBytes: 0 }, want: DEFAULTS },
    { desc: 'case-insensitive keys', input: { MinResponseBodyBytes: 10 }, want: { ...DEFAULTS, minResponseBodyBytes: 10 } },
  ];
  for (const c of accepted) {
    void it(`accepts ${c.desc}`, () => {
      const r = read({ compress: c.input });
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.deepEqual(r.config, { kind: 'compress', options: c.want });
    });
  }

  void it('warns that zstd cannot be produced, and keeps the middleware', () => {
    const r = read({ compress: { encodings: ['zstd', 'gzip'] } });
    assert.equal(r.config?.kind, 'compress');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
    assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.compress.encodings');
    assert.match(r.diagnostics[0]?.message ?? '', /zstd is not available/);
  });

  void it('does not warn about zstd in the default list', () => {
    assert.deepEqual(read({ compress: {} }).diagnostics, []);
  });

  const rejected: { desc: string; input: unknown; path: string; message: RegExp; code?: string }[] = [
    {
      desc: 'both content type lists',
      input: { excludedContentTypes: ['a/b'], includedContentTypes: ['c/d'] },
      path: 'http.middlewares.m.compress',
      message: /mutually exclusive/,
    },
    { desc: 'an unknown encoding', input: { encodings: ['gzip', 'deflate'] }, path: 'http.middlewares.m.compress.encodings[1]', message: /unsupported encoding "deflate"/ },
    { desc: 'an empty encodings list', input: { encodings: [] }, path: 'http.middlewares.m.compress.encodings', message: /at least one encoding/ },
    { desc: 'a default encoding not listed', input: { encodings: ['br'], defaultEncoding: 'gzip' }, path: 'http.middlewares.m.compress.defaultEncoding', message: /unsupported default encoding "gzip"/ },
    { desc: 'a bad media type', input: { excludedContentTypes: ['text/html', 'not a type'] }, path: 'http.middlewares.m.compress.excludedContentTypes[1]', message: /not a media type/ },
    { desc: 'a minimum that is not an integer', input: { minResponseBodyBytes: 'big' }, path: 'http.middlewares.m.compress.minResponseBodyBytes', message: /an integer/ },
    { desc: 'a typo', input: { minResponseBodySize: 1 }, path: 'http.middlewares.m.compress.minResponseBodySize', message: /did you mean "minResponseBodyBytes"/, code: 'TPK_CFG_UNKNOWN_KEY' },
    { desc: 'false', input: false, path: 'http.middlewares.m.compress', message: /expected a mapping/ },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ compress: c.input });
      assert.equal(r.config, undefined);
      const err = r.diagnostics.find((d) => d.severity === 'error');
      assert.ok(err, 'an error');
      assert.equal(err.path, c.path);
      assert.match(err.message, c.message);
      assert.match(err.message, /this middleware is left out/);
      assert.equal(err.code, c.code ?? 'TPK_CFG_INVALID_VALUE');
    });
  }
});

void describe('parseMediaType (Go mime.ParseMediaType)', () => {
  const cases: { desc: string; value: string; want: string | null }[] = [
    { desc: 'plain', value: 'text/html', want: 'text/html' },
    { desc: 'lower-cased, with a parameter', value: 'Text/HTML; Charset=UTF-8', want: 'text/html' },
    { desc: 'quoted parameter with ; inside', value: 'multipart/mixed; boundary="a;b"', want: 'multipart/mixed' },
    { desc: 'trailing semicolon', value: 'text/plain;', want: 'text/plain' },
    { desc: 'a lone token (Go accepts it)', value: 'form-data', want: 'form-data' },
    { desc: 'empty', value: '', want: null },
    { desc: 'missing subtype', value: 'text/', want: null },
    { desc: 'parameter without value', value: 'text/html; charset', want: null },
    { desc: 'unterminated quote', value: 'text/html; a="b', want: null },
    { desc: 'space inside the type', value: 'text /html', want: null },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(parseMediaType(c.value), c.want));
  }
});
