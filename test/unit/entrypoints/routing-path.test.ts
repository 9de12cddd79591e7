import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeRoutingPath,
  isValidHost,
  normalizePath,
  prepareTarget,
  rewriteQuerySemicolons,
  sanitizePath,
  splitTarget,
} from '../../../src/entrypoints/routing-path.js';

void describe('computeRoutingPath', () => {
  const cases: { desc: string; path: string; want: string | null }[] = [
    { desc: 'no escape: returned as is', path: '/foo/bar', want: '/foo/bar' },
    { desc: 'space decoded', path: '/foo%20bar', want: '/foo bar' },
    { desc: 'unreserved letter decoded', path: '/%41%62c', want: '/Abc' },
    { desc: 'slash stays encoded', path: '/a%2Fb', want: '/a%2Fb' },
    { desc: 'lower-case reserved escape is upper-cased, not decoded', path: '/a%2fb', want: '/a%2Fb' },
    { desc: 'percent stays encoded', path: '/100%25', want: '/100%25' },
    {
      desc: 'every reserved escape stays encoded',
      path: '/%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25',
      want: '/%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25',
    },
    { desc: 'mixed reserved and unreserved', path: '/a%2Fb%20c%3f', want: '/a%2Fb c%3F' },
    { desc: 'UTF-8 sequence decoded', path: '/caf%C3%A9', want: '/café' },
    { desc: 'dot escape decoded (not a dot segment any more)', path: '/%2e%2e/x', want: '/../x' },
    { desc: 'tilde and dash decoded', path: '/%7E%2D', want: '/~-' },
    { desc: 'bad escape: non-hex', path: '/a%zz', want: null },
    { desc: 'bad escape: truncated at end', path: '/a%4', want: null },
    { desc: 'bad escape: lone percent at end', path: '/a%', want: null },
    { desc: 'bad escape: one hex digit then non-hex', path: '/a%4g/b', want: null },
    { desc: 'asterisk form', path: '*', want: '*' },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(computeRoutingPath(c.path), c.want));
  }
});

void describe('normalizePath (Traefik normalizePath)', () => {
  const cases: { desc: string; path: string; want: string | null }[] = [
    { desc: 'no escape: returned as is', path: '/a/b', want: '/a/b' },
    { desc: 'escaped dots decoded (then sanitizePath sees a dot segment)', path: '/a/%2e%2e/b', want: '/a/../b' },
    { desc: 'upper-case escaped dots decoded', path: '/a/%2E%2E/b', want: '/a/../b' },
    { desc: 'escaped letter decoded', path: '/%41bc', want: '/Abc' },
    { desc: 'lower-case letter, digit and the four unreserved marks', path: '/%61%39%2D%2e%5F%7e', want: '/a9-._~' },
    { desc: 'reserved escape upper-cased, not decoded', path: '/a%2fb', want: '/a%2Fb' },
    { desc: 'already upper-case reserved escape kept', path: '/a%2Fb%3F', want: '/a%2Fb%3F' },
    { desc: 'escaped percent stays (%25 is not unreserved)', path: '/100%25', want: '/100%25' },
    { desc: 'space stays escaped', path: '/a%20b', want: '/a%20b' },
    { desc: 'UTF-8 escapes upper-cased, not decoded', path: '/caf%c3%a9', want: '/caf%C3%A9' },
    { desc: 'mixed: decode, upper-case and keep in one path', path: '/%7euser/x%2fy/%20', want: '/~user/x%2Fy/%20' },
    { desc: 'not re-decoded: %252e stays %252e', path: '/%252e', want: '/%252e' },
    { desc: 'asterisk form', path: '*', want: '*' },
    { desc: 'bad escape: non-hex', path: '/a%zz', want: null },
    { desc: 'bad escape: lone percent at end', path: '/a%', want: null },
    { desc: 'bad escape: truncated', path: '/a%4', want: null },
    { desc: 'bad escape after a good one', path: '/%41/%g1', want: null },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(normalizePath(c.path), c.want));
  }
  void it('returns the same string object when nothing changes', () => {
    const p = '/a%2Fb%20c';
    assert.equal(normalizePath(p), p);
  });
});

void describe('sanitizePath', () => {
  const cases: { desc: string; path: string; want: string }[] = [
    { desc: 'Traefik doc example', path: '/./foo/../bar//', want: '/bar/' },
    { desc: 'already clean: same string', path: '/a/b/c', want: '/a/b/c' },
    { desc: 'root', path: '/', want: '/' },
    { desc: 'trailing slash kept', path: '/a/b/', want: '/a/b/' },
    { desc: 'duplicate slashes collapsed', path: '//a///b', want: '/a/b' },
    { desc: 'dot-dot above root stays at root', path: '/../../a', want: '/a' },
    { desc: 'trailing dot-dot', path: '/a/b/..', want: '/a' },
    { desc: 'trailing dot', path: '/a/.', want: '/a' },
    { desc: 'only dots', path: '/./..', want: '/' },
    { desc: 'dot-dot to root with trailing slash', path: '/a/../', want: '/' },
    { desc: 'names starting with dots are kept', path: '/.well-known/..x/...', want: '/.well-known/..x/...' },
    { desc: 'escaped dots are not dot segments', path: '/a/%2e%2e/b', want: '/a/%2e%2e/b' },
    { desc: 'asterisk untouched', path: '*', want: '*' },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(sanitizePath(c.path), c.want));
  }
  void it('returns the same string object when nothing changes', () => {
    const p = '/x/y';
    assert.equal(sanitizePath(p), p);
  });
});

void describe('splitTarget', () => {
  const cases: { desc: string; target: string; want: ReturnType<typeof splitTarget> }[] = [
    { desc: 'origin form', target: '/p?a=1', want: { path: '/p', query: 'a=1', authority: null } },
    { desc: 'no query', target: '/p', want: { path: '/p', query: null, authority: null } },
    { desc: 'empty query', target: '/p?', want: { path: '/p', query: '', authority: null } },
    {
      desc: 'absolute form',
      target: 'http://example.com:81/p?q',
      want: { path: '/p', query: 'q', authority: 'example.com:81' },
    },
    { desc: 'absolute form without path', target: 'http://h', want: { path: '/', query: null, authority: 'h' } },
    { desc: 'absolute form, query only', target: 'http://h?x', want: { path: '/', query: 'x', authority: 'h' } },
    { desc: 'userinfo dropped', target: 'http://u:p@h/x', want: { path: '/x', query: null, authority: 'h' } },
    { desc: 'asterisk', target: '*', want: { path: '*', query: null, authority: null } },
    { desc: 'relative path refused', target: 'foo', want: null },
    { desc: 'authority form refused', target: 'example.com:443', want: null },
    { desc: 'bad scheme refused', target: '1http://h/', want: null },
    { desc: 'empty refused', target: '', want: null },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.deepEqual(splitTarget(c.target), c.want));
  }
});

void describe('rewriteQuerySemicolons', () => {
  void it('turns ; into & by default (encodeQuerySemicolons false)', () => {
    assert.equal(rewriteQuerySemicolons('a=1;b=2', false), 'a=1&b=2');
  });
  void it('encodes ; as %3B with encodeQuerySemicolons', () => {
    assert.equal(rewriteQuerySemicolons('a=1;b=2', true), 'a=1%3Bb=2');
  });
  void it('leaves a query without ; alone', () => {
    assert.equal(rewriteQuerySemicolons('a=1&b=2', false), 'a=1&b=2');
  });
});

void describe('isValidHost', () => {
  const cases: { desc: string; host: string; want: boolean }[] = [
    { desc: 'name with port', host: 'example.com:8080', want: true },
    { desc: 'IPv6 literal', host: '[::1]:80', want: true },
    { desc: 'empty', host: '', want: true },
    { desc: 'space', host: 'a b', want: false },
    { desc: 'slash', host: 'a/b', want: false },
    { desc: 'at sign', host: 'u@h', want: false },
    { desc: 'non-ASCII', host: 'café.fr', want: false },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(isValidHost(c.host), c.want));
});

void describe('prepareTarget', () => {
  const opts = { sanitizePath: true, encodeQuerySemicolons: false };
  const cases: {
    desc: string;
    target: string;
    host: string | undefined;
    hosts: number;
    http11?: boolean;
    o?: typeof opts;
    want: ReturnType<typeof prepareTarget>;
  }[] = [
    {
      desc: 'origin form: host from the Host header',
      target: '/a/../b%20c?x=1;y=2',
      host: 'h:8080',
      hosts: 1,
      want: { path: '/b%20c', query: 'x=1&y=2', routingPath: '/b c', host: 'h:8080' },
    },
    {
      desc: 'absolute form: host from the authority',
      target: 'http://other:81/p',
      host: 'h',
      hosts: 1,
      want: { path: '/p', query: null, routingPath: '/p', host: 'other:81' },
    },
    {
      desc: 'sanitizePath false keeps dot segments',
      target: '/a/./b',
      host: 'h',
      hosts: 1,
      o: { sanitizePath: false, encodeQuerySemicolons: true },
      want: { path: '/a/./b', query: null, routingPath: '/a/./b', host: 'h' },
    },
    { desc: 'HTTP/1.0 without Host', target: '/', host: undefined, hosts: 0, http11: false, want: { path: '/', query: null, routingPath: '/', host: '' } },
    { desc: 'HTTP/1.1 without Host', target: '/', host: undefined, hosts: 0, want: 400 },
    { desc: 'two Host headers', target: '/', host: 'a', hosts: 2, want: 400 },
    { desc: 'malformed Host', target: '/', host: 'a b', hosts: 1, want: 400 },
    { desc: 'bad escape', target: '/%zz', host: 'a', hosts: 1, want: 400 },
    {
      desc: 'escaped dot-dot is normalised, then sanitised: routed AND forwarded as /b',
      target: '/a/%2e%2e/b?q',
      host: 'h',
      hosts: 1,
      want: { path: '/b', query: 'q', routingPath: '/b', host: 'h' },
    },
    {
      desc: 'escaped unreserved letter decoded in the forwarded path too',
      target: '/%41bc',
      host: 'h',
      hosts: 1,
      want: { path: '/Abc', query: null, routingPath: '/Abc', host: 'h' },
    },
    {
      desc: 'lower-case reserved escape upper-cased in path; routing path keeps it encoded',
      target: '/a%2fb%20c',
      host: 'h',
      hosts: 1,
      want: { path: '/a%2Fb%20c', query: null, routingPath: '/a%2Fb c', host: 'h' },
    },
    {
      desc: 'escaped slash is not a segment separator for sanitizePath',
      target: '/a/..%2f..%2fb',
      host: 'h',
      hosts: 1,
      want: { path: '/a/..%2F..%2Fb', query: null, routingPath: '/a/..%2F..%2Fb', host: 'h' },
    },
    {
      desc: 'sanitizePath false: normalised but dot segments kept',
      target: '/a/%2e%2e/b',
      host: 'h',
      hosts: 1,
      o: { sanitizePath: false, encodeQuerySemicolons: false },
      want: { path: '/a/../b', query: null, routingPath: '/a/../b', host: 'h' },
    },
    {
      desc: 'absolute form is normalised too',
      target: 'http://h/x/%2E%2E/%7Ey',
      host: 'h',
      hosts: 1,
      want: { path: '/~y', query: null, routingPath: '/~y', host: 'h' },
    },
    { desc: 'fragment in the path (denyFragment)', target: '/a#b', host: 'a', hosts: 1, want: 400 },
    { desc: 'fragment after the query', target: '/a?x=1#b', host: 'a', hosts: 1, want: 400 },
    { desc: 'fragment in an absolute-form target', target: 'http://h/a#b', host: 'a', hosts: 1, want: 400 },
    { desc: 'escaped hash is not a fragment', target: '/a%23b', host: 'a', hosts: 1, want: { path: '/a%23b', query: null, routingPath: '/a%23b', host: 'a' } },
    { desc: 'relative target', target: 'x', host: 'a', hosts: 1, want: 400 },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.deepEqual(prepareTarget(c.target, c.host, c.hosts, c.http11 ?? true, c.o ?? opts), c.want));
  }
});
