/** The error page request target and headers, as Traefik builds them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { errorPageHeaders, errorPageTarget, queryEscape } from '../../../../src/middlewares/errors/error-page-request.js';

void describe('queryEscape (Go url.QueryEscape)', () => {
  const cases: { desc: string; text: string; want: string }[] = [
    { desc: 'unreserved kept', text: 'aZ09-_.~', want: 'aZ09-_.~' },
    { desc: 'path and query escaped', text: '/a/b?x=1&y=2', want: '%2Fa%2Fb%3Fx%3D1%26y%3D2' },
    { desc: 'space as +', text: 'a b', want: 'a+b' },
    { desc: "!'()* escaped (unlike encodeURIComponent)", text: "!'()*", want: '%21%27%28%29%2A' },
    { desc: 'UTF-8 bytes', text: 'é', want: '%C3%A9' },
    { desc: 'existing escapes re-escaped', text: '/a%20b', want: '%2Fa%2520b' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(queryEscape(c.text), c.want));
});

void describe('errorPageTarget', () => {
  const cases: { desc: string; query: string; want: { path: string; query: string | null } }[] = [
    { desc: 'empty query is /', query: '', want: { path: '/', query: null } },
    { desc: '{status}', query: '/{status}.html', want: { path: '/503.html', query: null } },
    { desc: 'a missing leading slash is added', query: '{status}.html', want: { path: '/503.html', query: null } },
    { desc: 'only one leading slash is trimmed and re-added', query: '//x', want: { path: '//x', query: null } },
    { desc: '{originalStatus} and {url} in the query string', query: '/e?s={status}&o={originalStatus}&u={url}', want: { path: '/e', query: 's=503&o=502&u=%2Fp%3Fq%3D1' } },
    { desc: 'a fragment is dropped', query: '/e#top', want: { path: '/e', query: null } },
    { desc: 'non-ASCII is percent-encoded', query: '/erreur-é?x=ü', want: { path: '/erreur-%C3%A9', query: 'x=%C3%BC' } },
  ];
  for (const c of cases) void it(c.desc, () => assert.deepEqual(errorPageTarget(c.query, 503, 502, '/p?q=1'), c.want));
});

void describe('errorPageHeaders', () => {
  const from = new HeaderList(['Host', 'a.test', 'Accept', 'text/html', 'Content-Length', '5', 'Transfer-Encoding', 'chunked', 'Connection', 'keep-alive', 'Cookie', 'c=1']);
  void it('copies every header but the body and connection ones', () => {
    assert.deepEqual(errorPageHeaders(from, []).raw, ['Host', 'a.test', 'Accept', 'text/html', 'Cookie', 'c=1']);
  });
  void it('copies only the listed headers (errorRequestHeaders), case-insensitively', () => {
    assert.deepEqual(errorPageHeaders(from, ['accept', 'HOST']).raw, ['Host', 'a.test', 'Accept', 'text/html']);
  });
});
