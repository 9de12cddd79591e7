import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  badEscapeMessage,
  decodePath,
  escapePath,
  isValidEncoded,
  rawOffset,
  stripDecodedBytes,
  utf8Bytes,
  wirePathOfRaw,
} from '../../../../src/middlewares/shared/url-path.js';

void describe('Go net/url path helpers', () => {
  void it('decodes escapes to bytes and refuses bad ones', () => {
    assert.equal(decodePath('/a%20b%2Fc'), '/a b/c');
    assert.equal(decodePath('/caf%C3%A9'), utf8Bytes('/café'));
    assert.equal(decodePath('/plain'), '/plain');
    assert.equal(decodePath('/a%zz'), null);
    assert.equal(decodePath('/a%4'), null);
    assert.equal(badEscapeMessage('/a%zzb'), 'invalid URL escape "%zz"');
    assert.equal(badEscapeMessage('/a%4'), 'invalid URL escape "%4"');
  });

  void it("escapes like Go's escape(encodePath)", () => {
    assert.equal(escapePath('/a b'), '/a%20b');
    assert.equal(escapePath("/a!*'()"), '/a%21%2A%27%28%29');
    assert.equal(escapePath('/$&+,:;=@-_.~'), '/$&+,:;=@-_.~');
    assert.equal(escapePath(utf8Bytes('/é?')), '/%C3%A9%3F');
  });

  void it("knows Go's validEncoded", () => {
    assert.equal(isValidEncoded("/a!*'()[]%2F"), true);
    assert.equal(isValidEncoded('/a b'), false);
    assert.equal(isValidEncoded('/a"b'), false);
  });

  const wire: { desc: string; raw: string; want: string | null }[] = [
    { desc: 'valid path kept as written', raw: '/foo/%2F/bar', want: '/foo/%2F/bar' },
    { desc: 'space escaped', raw: '/a b', want: '/a%20b' },
    { desc: 'non-ASCII escaped as UTF-8', raw: utf8Bytes('/café'), want: '/caf%C3%A9' },
    { desc: 'not valid as written: re-escaped from the decoded path (the %2F becomes /, as in Go)', raw: '/a b/%2F', want: '/a%20b//' },
    { desc: 'empty path is /', raw: '', want: '/' },
    { desc: 'bad escape', raw: '/a%G0', want: null },
  ];
  for (const c of wire) {
    void it(`wire path of a RawPath: ${c.desc}`, () => assert.equal(wirePathOfRaw(c.raw), c.want));
  }

  void it('finds where a decoded prefix ends in the raw path', () => {
    assert.equal(rawOffset('/a%20b/c', 4), 6);
    assert.equal(rawOffset('/abc', 2), 2);
  });

  const strip: { desc: string; raw: string; n: number; want: string }[] = [
    { desc: 'plain path', raw: '/api/users', n: 4, want: '/users' },
    { desc: 'exactly the prefix', raw: '/api', n: 4, want: '/' },
    { desc: 'no slash after the prefix', raw: '/apiv2', n: 4, want: '/v2' },
    { desc: 'an escaped slash in the rest is kept', raw: '/api/a%2Fb', n: 4, want: '/a%2Fb' },
    { desc: 'an escaped char inside the prefix', raw: '/a%20b/c', n: 4, want: '/c' },
    { desc: 'prefix ending inside an escaped slash', raw: '/api%2Fx', n: 5, want: '/x' },
  ];
  for (const c of strip) {
    void it(`strips decoded bytes: ${c.desc}`, () => {
      const decoded = decodePath(c.raw);
      assert.ok(decoded !== null);
      assert.equal(stripDecodedBytes(c.raw, decoded, c.n), c.want);
    });
  }
});
