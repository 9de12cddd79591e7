/**
 * The errors reader and Traefik's status list syntax (`500`, `500,502`, `500-599`): ranges parsed
 * at configuration time, every bad entry reported with its key path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../../src/config/diagnostics.js';
import { validateDynamic } from '../../../../../src/config/dynamic/validate.js';
import type { MiddlewareConfig } from '../../../../../src/config/dynamic/types.js';
import { inStatusRanges, parseStatusRanges } from '../../../../../src/config/dynamic/schema/middlewares/status-ranges.js';

function read(middleware: unknown): { config: MiddlewareConfig | undefined; diagnostics: readonly Diagnostic[] } {
  const r = validateDynamic({ http: { middlewares: { m: middleware } } }, { source: 'dyn.yml' });
  return { config: r.config.http.middlewares['m'], diagnostics: r.diagnostics };
}

void describe('parseStatusRanges', () => {
  const ok: { desc: string; text: string; want: { from: number; to: number }[] }[] = [
    { desc: 'one code', text: '500', want: [{ from: 500, to: 500 }] },
    { desc: 'an inclusive range', text: '500-599', want: [{ from: 500, to: 599 }] },
    { desc: 'a comma list', text: '500,502', want: [{ from: 500, to: 500 }, { from: 502, to: 502 }] },
    { desc: 'a mix with spaces', text: '404, 418 ,505 - 599', want: [{ from: 404, to: 404 }, { from: 418, to: 418 }, { from: 505, to: 599 }] },
    { desc: 'a one-code range', text: '404-404', want: [{ from: 404, to: 404 }] },
  ];
  for (const c of ok) void it(`parses ${c.desc}`, () => assert.deepEqual(parseStatusRanges(c.text), c.want));

  const bad: { desc: string; text: string; message: RegExp }[] = [
    { desc: 'text', text: 'oops', message: /not a status code/ },
    { desc: 'an empty item', text: '500,', message: /empty item/ },
    { desc: 'an empty entry', text: '', message: /empty item/ },
    { desc: 'a backwards range', text: '599-500', message: /runs backwards/ },
    { desc: 'two dashes', text: '500-550-599', message: /not a status code/ },
    { desc: 'a code out of range', text: '42', message: /not a status code/ },
    { desc: 'a four-digit code', text: '5000', message: /not a status code/ },
    { desc: 'an open range', text: '500-', message: /not a status code/ },
  ];
  for (const c of bad) {
    void it(`rejects ${c.desc}`, () => {
      const r = parseStatusRanges(c.text);
      assert.equal(typeof r, 'string');
      assert.match(r as string, c.message);
    });
  }

  void it('inStatusRanges checks inclusive bounds', () => {
    const ranges = parseStatusRanges('404,500-503') as { from: number; to: number }[];
    assert.deepEqual([403, 404, 405, 499, 500, 503, 504].map((s) => inStatusRanges(ranges, s)), [false, true, false, false, true, true, false]);
  });
});

void describe('errors reader', () => {
  void it('reads every option, ranges parsed', () => {
    const r = read({
      errors: { status: ['500-599', '404'], service: 'pages', query: '/{status}.html', statusRewrites: { '418': 404, '502-504': '500' }, errorRequestHeaders: ['Accept'] },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'errors',
      options: {
        status: [{ from: 500, to: 599 }, { from: 404, to: 404 }],
        statusRewrites: [
          { from: [{ from: 418, to: 418 }], to: 404 },
          { from: [{ from: 502, to: 504 }], to: 500 },
        ],
        service: 'pages',
        query: '/{status}.html',
        errorRequestHeaders: ['Accept'],
      },
    });
  });

  void it('takes a comma-separated status string (labels)', () => {
    const r = read({ errors: { status: '500,501,503,505-599', service: 's' } });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config?.kind, 'errors');
    if (r.config?.kind === 'errors') assert.equal(r.config.options.status.length, 4);
  });

  void it('defaults: no status, no rewrite, query "" (= /), every header', () => {
    const r = read({ errors: { service: 's' } });
    assert.deepEqual(r.config, { kind: 'errors', options: { status: [], statusRewrites: [], service: 's', query: '', errorRequestHeaders: [] } });
  });

  const rejected: { desc: string; input: unknown; path: string; message: RegExp; code?: string }[] = [
    { desc: 'a missing service', input: { status: ['500'] }, path: 'http.middlewares.m.errors.service', message: /"service" is required/, code: 'TPK_CFG_MISSING_KEY' },
    { desc: 'a bad status in a list', input: { status: ['500', '5xx'], service: 's' }, path: 'http.middlewares.m.errors.status[1]', message: /"5xx" is not a status code/ },
    { desc: 'a bad status string', input: { status: '500-', service: 's' }, path: 'http.middlewares.m.errors.status', message: /not a status code/ },
    { desc: 'a backwards range', input: { status: ['599-500'], service: 's' }, path: 'http.middlewares.m.errors.status[0]', message: /runs backwards/ },
    { desc: 'a bad rewrite key', input: { service: 's', statusRewrites: { abc: 500 } }, path: 'http.middlewares.m.errors.statusRewrites.abc', message: /not a status code/ },
    { desc: 'a bad rewrite value', input: { service: 's', statusRewrites: { '418': 'teapot' } }, path: 'http.middlewares.m.errors.statusRewrites.418', message: /an integer/ },
    { desc: 'a rewrite to a non-status', input: { service: 's', statusRewrites: { '418': 42 } }, path: 'http.middlewares.m.errors.statusRewrites.418', message: /integer >= 100/ },
    { desc: 'rewrites as a list', input: { service: 's', statusRewrites: ['418'] }, path: 'http.middlewares.m.errors.statusRewrites', message: /expected a mapping/ },
    { desc: 'a query with a space', input: { service: 's', query: '/a b' }, path: 'http.middlewares.m.errors.query', message: /without spaces/ },
    { desc: 'a bad header name', input: { service: 's', errorRequestHeaders: ['X Bad'] }, path: 'http.middlewares.m.errors.errorRequestHeaders[0]', message: /not a valid header name/ },
    { desc: 'a typo', input: { service: 's', querry: '/' }, path: 'http.middlewares.m.errors.querry', message: /did you mean "query"/, code: 'TPK_CFG_UNKNOWN_KEY' },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ errors: c.input });
      assert.equal(r.config, undefined);
      const err = r.diagnostics.find((d) => d.severity === 'error');
      assert.ok(err, 'an error');
      assert.equal(err.path, c.path);
      assert.match(err.message, c.message);
      assert.equal(err.code, c.code ?? 'TPK_CFG_INVALID_VALUE');
    });
  }
});
