import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeRoutingPath,
  isValidHost,
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
    { desc: 'relative target', target: 'x', host: 'a', hosts: 1, want: 400 },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.deepEqual(prepareTarget(c.target, c.host, c.hosts, c.http11 ?? true, c.o ?? opts), c.want));
  }
});
