/**
 * The path middlewares through the real binary and a real upstream that echoes the request line
 * and headers it got: stripPrefix and stripPrefixRegex (X-Forwarded-Prefix, kept escapes, 400 on
 * a path that would read as another), addPrefix, replacePath and replacePathRegex (X-Replaced-Path,
 * `$1`/`${1}`/`${name}`, Go's escaping, 500 on a bad escape), and a bad regexp disabling only the
 * router that uses it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get, type SimpleResponse } from '../helpers/http-client.js';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

const MIDDLEWARES = `
  middlewares:
    strip:
      stripPrefix:
        prefixes: ["/api", "/v1", "/with space"]
    stripre:
      stripPrefixRegex:
        regex: ["^/foo/[a-z0-9]+/[0-9]+/", "/tenant-[0-9]+"]
    add:
      addPrefix:
        prefix: /pre
    addsp:
      addPrefix:
        prefix: "with space"
    replace:
      replacePath:
        path: /replaced
    replacesp:
      replacePath:
        path: "/a b/café"
    rre:
      replacePathRegex:
        regex: "^/foo/(.*)"
        replacement: "/bar/$1"
    rrenamed:
      replacePathRegex:
        regex: "^/(?P<ver>v[0-9]+)/(.*)$"
        replacement: "/api-\${ver}x/\${2}"
    rrebad:
      replacePathRegex:
        regex: "^/e/(.*)"
        replacement: "/x%$1"
    badre:
      stripPrefixRegex:
        regex: ["^/(?!admin)"]
`;

/** [router name, Host, middlewares] */
const ROUTERS: readonly (readonly [string, string, string])[] = [
  ['strip', 'strip.test', 'strip'],
  ['stripre', 'stripre.test', 'stripre'],
  ['add', 'add.test', 'add'],
  ['addsp', 'addsp.test', 'addsp'],
  ['replace', 'replace.test', 'replace'],
  ['replacesp', 'replacesp.test', 'replacesp'],
  ['rre', 'rre.test', 'rre'],
  ['rrenamed', 'rrenamed.test', 'rrenamed'],
  ['rrebad', 'rrebad.test', 'rrebad'],
  ['stripadd', 'stripadd.test', 'strip, add'],
  ['badre', 'badre.test', 'badre'],
  ['plain', 'plain.test', ''],
];

describe('path middlewares (stripPrefix, stripPrefixRegex, addPrefix, replacePath, replacePathRegex)', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;
  let hits = 0;

  const send = (host: string, path: string, headers: Record<string, string> = {}): Promise<SimpleResponse> => get(port, path, { host, headers });
  const seen = (r: SimpleResponse): Seen => {
    assert.equal(r.status, 200, `upstream reached (got ${r.status} ${r.body})`);
    return JSON.parse(r.body) as Seen;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-path-'));
    upstream = await startUpstream((req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url ?? '', headers: req.headers } satisfies Seen));
    });
    const routers = ROUTERS.map(([name, host, mw]) => `    ${name}:\n      rule: "Host(\`${host}\`)"\n      service: up\n` + (mw ? `      middlewares: [${mw}]\n` : '')).join('');
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, `http:\n  routers:\n${routers}${MIDDLEWARES}  services:\n    up:\n      loadBalancer:\n        servers:\n          - url: "${upstream.url}"\n`);
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('stripPrefix', () => {
    const cases: { desc: string; path: string; url: string; prefix: string | undefined }[] = [
      { desc: 'strips the first matching prefix, query kept', path: '/api/users?x=1', url: '/users?x=1', prefix: '/api' },
      { desc: 'exactly the prefix becomes /', path: '/api', url: '/', prefix: '/api' },
      { desc: 'a plain string prefix: /apiv2 -> /v2', path: '/apiv2', url: '/v2', prefix: '/api' },
      { desc: 'second prefix of the list', path: '/v1/items/', url: '/items/', prefix: '/v1' },
      { desc: 'escapes in the rest are kept', path: '/api/a%2Fb%20c', url: '/a%2Fb%20c', prefix: '/api' },
      { desc: 'the prefix matches the decoded path', path: '/with%20space/x', url: '/x', prefix: '/with space' },
      { desc: 'no match: untouched, no header', path: '/other/api', url: '/other/api', prefix: undefined },
    ];
    for (const c of cases) {
      it(c.desc, async () => {
        const s = seen(await send('strip.test', c.path));
        assert.equal(s.url, c.url);
        assert.equal(s.headers['x-forwarded-prefix'], c.prefix);
      });
    }

    it("drops a client's own X-Forwarded-Prefix (untrusted) and adds the stripped one", async () => {
      const s = seen(await send('strip.test', '/api/x', { 'X-Forwarded-Prefix': '/evil' }));
      assert.equal(s.headers['x-forwarded-prefix'], '/api');
    });

    it('refuses with 400 a stripped path that would be read as another (/api../x -> /../x)', async () => {
      const before = hits;
      for (const path of ['/api../secret', '/api./secret']) {
        const r = await send('strip.test', path);
        assert.equal(r.status, 400, path);
        assert.equal(r.body, 'Bad Request\n');
      }
      assert.equal(hits, before, 'the upstream never sees them');
    });

    it('runs before addPrefix in a router list: /api/x -> /pre/x', async () => {
      const s = seen(await send('stripadd.test', '/api/x'));
      assert.equal(s.url, '/pre/x');
      assert.equal(s.headers['x-forwarded-prefix'], '/api');
    });
  });

  describe('stripPrefixRegex', () => {
    it('strips the match at the start of the path and reports it in X-Forwarded-Prefix', async () => {
      const s = seen(await send('stripre.test', '/foo/abc/123/bar?q'));
      assert.equal(s.url, '/bar?q');
      assert.equal(s.headers['x-forwarded-prefix'], '/foo/abc/123/');
    });

    it('tries the next regexp when a match is not at the start', async () => {
      const s = seen(await send('stripre.test', '/tenant-42/orders'));
      assert.equal(s.url, '/orders');
      assert.equal(s.headers['x-forwarded-prefix'], '/tenant-42');
      const untouched = seen(await send('stripre.test', '/x/tenant-42/orders'));
      assert.equal(untouched.url, '/x/tenant-42/orders');
      assert.equal(untouched.headers['x-forwarded-prefix'], undefined);
    });

    it('refuses with 400 a stripped path that is not clean', async () => {
      assert.equal((await send('stripre.test', '/tenant-1../admin')).status, 400);
    });
  });

  describe('addPrefix', () => {
    it('prepends the prefix, escapes kept', async () => {
      assert.equal(seen(await send('add.test', '/x?y=1')).url, '/pre/x?y=1');
      assert.equal(seen(await send('add.test', '/a%2Fb')).url, '/pre/a%2Fb');
    });

    it('adds the leading slash and escapes a prefix as Go would', async () => {
      assert.equal(seen(await send('addsp.test', '/x')).url, '/with%20space/x');
    });
  });

  describe('replacePath', () => {
    it('replaces the path, keeps the query, and sends the old path in X-Replaced-Path', async () => {
      const s = seen(await send('replace.test', '/any/thing%2F?q=1'));
      assert.equal(s.url, '/replaced?q=1');
      assert.equal(s.headers['x-replaced-path'], '/any/thing%2F');
    });

    it('sends the configured path escaped as Go would (space, non-ASCII)', async () => {
      assert.equal(seen(await send('replacesp.test', '/')).url, '/a%20b/caf%C3%A9');
    });
  });

  describe('replacePathRegex', () => {
    it('replaces with $1 when the regexp matches', async () => {
      const s = seen(await send('rre.test', '/foo/x/y?z'));
      assert.equal(s.url, '/bar/x/y?z');
      assert.equal(s.headers['x-replaced-path'], '/foo/x/y');
    });

    it('leaves a path it does not match alone (no X-Replaced-Path)', async () => {
      const s = seen(await send('rre.test', '/nomatch/foo/'));
      assert.equal(s.url, '/nomatch/foo/');
      assert.equal(s.headers['x-replaced-path'], undefined);
    });

    it('expands ${name} and ${2} (braces needed before letters)', async () => {
      assert.equal(seen(await send('rrenamed.test', '/v2/users')).url, '/api-v2x/users');
    });

    it('answers 500 with Go\'s message when the result has a bad escape', async () => {
      const before = hits;
      const r = await send('rrebad.test', '/e/zz');
      assert.equal(r.status, 500);
      assert.equal(r.body, 'invalid URL escape "%zz"\n');
      assert.equal(hits, before);
      // A result that is a valid escape goes through.
      assert.equal(seen(await send('rrebad.test', '/e/41')).url, '/x%41');
    });
  });

  describe('bad configuration', () => {
    const errorsAbout = (needle: string): string[] =>
      tp.logs.filter((l) => l.msg === 'configuration error' && String(l.error).includes(needle)).map((l) => String(l.error));

    it('disables the router of a middleware whose regexp Go would refuse, naming both', async () => {
      const errors = errorsAbout('badre');
      assert.ok(errors.some((e) => /stripPrefixRegex\.regex\[0\]: invalid regular expression "\^\/\(\?!admin\)": look-ahead/.test(e)), JSON.stringify(errors));
      assert.ok(errors.some((e) => /middleware "badre@file"/.test(e)), JSON.stringify(errors));
      assert.equal((await send('badre.test', '/')).status, 404);
    });

    it('keeps serving the other routers', async () => {
      assert.equal(seen(await send('plain.test', '/p')).url, '/p');
    });
  });
});
