import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goLocation, redirectStatus } from '../../../../src/middlewares/shared/redirect.js';

void describe('redirect helpers', () => {
  void it('picks the status by method and permanence', () => {
    assert.equal(redirectStatus('GET', false), 302);
    assert.equal(redirectStatus('GET', true), 301);
    assert.equal(redirectStatus('POST', false), 307);
    assert.equal(redirectStatus('HEAD', true), 308);
  });

  const cases: { desc: string; url: string; want: string | null }[] = [
    { desc: 'an ordinary URL is kept', url: 'https://example.com:8443/a/b?c=d e#f', want: 'https://example.com:8443/a/b?c=d e#f' },
    { desc: 'scheme lower-cased', url: 'HTTPS://x/y', want: 'https://x/y' },
    { desc: 'space in the path escaped', url: 'http://x/a b?q', want: 'http://x/a%20b?q' },
    { desc: 'non-ASCII path escaped as UTF-8', url: 'http://x/café', want: 'http://x/caf%C3%A9' },
    { desc: 'relative reference', url: '/elsewhere?x=1', want: '/elsewhere?x=1' },
    { desc: 'opaque URL', url: 'mailto:someone@example.com', want: 'mailto:someone@example.com' },
    { desc: 'control character: url.Parse fails', url: 'http://x/a\tb', want: null },
    { desc: 'missing scheme: url.Parse fails', url: '://x/', want: null },
    { desc: 'bad escape in the path: url.Parse fails', url: 'http://x/%zz', want: null },
  ];
  for (const c of cases) {
    void it(`Location of a rewritten URL: ${c.desc}`, () => assert.equal(goLocation(c.url), c.want));
  }
});
