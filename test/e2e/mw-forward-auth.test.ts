/**
 * forwardAuth through the real binary, with a real node:http(s) authentication server and a real
 * upstream: X-Forwarded-* sent to the auth server (trustForwardHeader false / true / unset),
 * authResponseHeaders and the regex, authRequestHeaders, addAuthCookiesToResponse, non-2xx answers
 * passed back as they are (Location made absolute), authSigninURL, forwardBody and maxBodySize,
 * maxResponseBodySize, preserveRequestMethod, an unreachable auth server (500), TLS (ca, client
 * certificate, insecureSkipVerify), and a bad option disabling only its router.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { within } from '../helpers/wait.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A request with a chunked body (no Content-Length). */
function postChunked(port: number, host: string, parts: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/chunked', method: 'POST', headers: { host }, agent: false }, (res) => {
      void readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    req.on('error', reject);
    for (const p of parts) req.write(p);
    req.end();
  });
}

describe('forwardAuth middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;
  let auth: Server;
  let authPort: number;
  let tlsAuth: Server;
  let tlsPort: number;
  let closedPort: number;
  const authSeen: Seen[] = [];
  let upSeen: Seen | undefined;
  let upHits = 0;
  /** The auth request held open by /hang, handed to the test that waits for it. */
  let hang = deferred<ServerResponse>();

  function authHandler(req: IncomingMessage, res: ServerResponse): void {
    void readAll(req).then((body) => {
      authSeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0] ?? '';
      switch (path) {
        case '/ok':
          res.setHeader('Set-Cookie', ['session=from-auth; Path=/; HttpOnly', 'other=from-auth']);
          res.writeHead(200, { 'X-User': 'alice', 'X-Auth-Role': 'admin', 'x-auth-team': 'blue', 'X-Ignored': 'no' });
          res.end('ok');
          return;
        case '/deny':
          res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="api"', 'X-Reason': 'expired', 'Content-Type': 'application/json' });
          res.end('{"error":"denied"}');
          return;
        case '/redirect':
          res.writeHead(302, { Location: '/login?rd=back' });
          res.end();
          return;
        case '/big':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('x'.repeat(2048));
          return;
        case '/hang':
          hang.resolve(res);
          return;
        case '/mtls': {
          const socket = req.socket as TLSSocket;
          if (socket.authorized) res.writeHead(200).end('mtls ok');
          else res.writeHead(403, { 'Content-Type': 'text/plain' }).end('client certificate required');
          return;
        }
        default:
          res.writeHead(200).end('ok');
      }
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-fwdauth-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Turnpike Test CA'], dir);
    for (const [name, ext] of [
      ['srv', 'subjectAltName=IP:127.0.0.1\n'],
      ['cli', 'extendedKeyUsage=clientAuth\n'],
    ] as const) {
      openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      writeFileSync(join(dir, `${name}.cnf`), ext);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.cnf`], dir);
    }
    auth = createHttpServer(authHandler);
    authPort = await listen(auth);
    tlsAuth = createHttpsServer(
      { key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')), ca: readFileSync(join(dir, 'ca.pem')), requestCert: true, rejectUnauthorized: false },
      authHandler,
    );
    tlsPort = await listen(tlsAuth);
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    upstream = await startUpstream((req, res) => {
      void readAll(req).then((body) => {
        upHits++;
        upSeen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        res.setHeader('Set-Cookie', ['session=from-upstream', 'keep=1']);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('upstream');
      });
    });

    const a = `http://127.0.0.1:${authPort}`;
    const s = `https://127.0.0.1:${tlsPort}`;
    const ca = join(dir, 'ca.pem');
    const mws: Record<string, string> = {
      fa: `address: "${a}/ok?from=tp"\n        trustForwardHeader: false\n        authResponseHeaders: [X-User]\n        authResponseHeadersRegex: "^X-Auth-"\n        addAuthCookiesToResponse: [session]`,
      fatrust: `address: "${a}/ok"\n        trustForwardHeader: true`,
      falegacy: `address: "${a}/ok"`,
      fafilter: `address: "${a}/ok"\n        trustForwardHeader: false\n        authRequestHeaders: [Cookie]`,
      fadeny: `address: "${a}/deny"`,
      faredirect: `address: "${a}/redirect"`,
      fapreserveloc: `address: "${a}/redirect"\n        preserveLocationHeader: true`,
      fasignin: `address: "${a}/deny"\n        authSigninURL: "https://sso.test/login"`,
      fahang: `address: "${a}/hang"`,
      fadown: `address: "http://127.0.0.1:${closedPort}/verify"`,
      fabody: `address: "${a}/ok"\n        forwardBody: true\n        maxBodySize: 10\n        preserveRequestMethod: true`,
      fabig: `address: "${a}/big"\n        maxResponseBodySize: 100`,
      fatls: `address: "${s}/tls"\n        tls:\n          ca: "${ca}"`,
      fatlsnoca: `address: "${s}/tls"`,
      fatlsinsecure: `address: "${s}/tls"\n        tls:\n          insecureSkipVerify: true`,
      famtls: `address: "${s}/mtls"\n        tls:\n          ca: "${ca}"\n          cert: "${join(dir, 'cli.pem')}"\n          key: "${join(dir, 'cli.key')}"`,
      famtlsnocert: `address: "${s}/mtls"\n        tls:\n          ca: "${ca}"`,
      fabad: `address: "${a}/ok"\n        authResponseHeadersRegex: "^(?=X)"`,
      fabadca: `address: "${s}/tls"\n        tls:\n          ca: "${join(dir, 'missing-ca.pem')}"`,
    };
    const names = [...Object.keys(mws), 'open'];
    const routers = names.map((n) => `    ${n}:\n      rule: "Host(\`${n}.test\`)"\n      service: up\n` + (n === 'open' ? '' : `      middlewares: [${n}]\n`)).join('');
    const middlewares = Object.entries(mws)
      .map(([n, body]) => `    ${n}:\n      forwardAuth:\n        ${body}\n`)
      .join('');
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, `http:\n  routers:\n${routers}  middlewares:\n${middlewares}  services:\n    up:\n      loadBalancer:\n        servers:\n          - url: "${upstream.url}"\n`);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      // Keep the client's X-Forwarded-* headers, so that trustForwardHeader decides what the auth server sees.
      '--entryPoints.web.forwardedHeaders.insecure=true',
      `--providers.file.filename=${dyn}`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    await closeServer(auth);
    await closeServer(tlsAuth);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function lastAuth(): Seen {
    const s = authSeen.at(-1);
    assert.ok(s, 'the auth server was called');
    return s;
  }

  describe('a 2xx answer lets the request through', () => {
    it('sends a GET with X-Forwarded-* describing the request (trustForwardHeader false drops the client ones)', async () => {
      const r = await get(port, '/app/page?q=1', {
        host: 'fa.test',
        method: 'PUT',
        headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-uri': '/spoofed', 'x-forwarded-prefix': '/p', cookie: 'c=1' },
      });
      assert.equal(r.status, 200);
      const s = lastAuth();
      assert.equal(s.method, 'GET');
      assert.equal(s.url, '/ok?from=tp');
      assert.equal(s.headers.host, `127.0.0.1:${authPort}`);
      assert.equal(s.headers['x-forwarded-method'], 'PUT');
      assert.equal(s.headers['x-forwarded-proto'], 'http');
      assert.equal(s.headers['x-forwarded-host'], 'fa.test');
      assert.equal(s.headers['x-forwarded-uri'], '/app/page?q=1');
      assert.equal(s.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(s.headers['x-forwarded-port'], '80');
      assert.equal(s.headers['x-forwarded-prefix'], undefined);
      assert.equal(s.headers.cookie, 'c=1');
      assert.equal(s.body, '');
    });

    it('copies authResponseHeaders and regex-matching headers onto the request, removing client-sent matches', async () => {
      const r = await get(port, '/x', { host: 'fa.test', headers: { 'x-user': 'mallory', 'x-auth-spoof': 'yes', 'x-other': 'kept' } });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'upstream');
      assert.ok(upSeen);
      assert.equal(upSeen.headers['x-user'], 'alice');
      assert.equal(upSeen.headers['x-auth-role'], 'admin');
      assert.equal(upSeen.headers['x-auth-team'], 'blue');
      assert.equal(upSeen.headers['x-auth-spoof'], undefined);
      assert.equal(upSeen.headers['x-ignored'], undefined);
      assert.equal(upSeen.headers['x-other'], 'kept');
    });

    it('replaces the upstream Set-Cookie of the names in addAuthCookiesToResponse with the auth ones', async () => {
      const r = await get(port, '/x', { host: 'fa.test' });
      assert.deepEqual(r.headers['set-cookie'], ['keep=1', 'session=from-auth; Path=/; HttpOnly']);
    });

    it('trustForwardHeader true keeps the client X-Forwarded-* and appends the client IP to X-Forwarded-For', async () => {
      await get(port, '/real', { host: 'fatrust.test', headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-uri': '/original', 'x-forwarded-proto': 'https' } });
      const s = lastAuth();
      assert.equal(s.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(s.headers['x-forwarded-uri'], '/original');
      assert.equal(s.headers['x-forwarded-proto'], 'https');
      assert.equal(s.headers['x-forwarded-method'], 'GET');
    });

    it('trustForwardHeader unset (legacy) overwrites For/Proto/Method/Host/Uri but passes the other X headers', async () => {
      await get(port, '/real', { host: 'falegacy.test', headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-uri': '/spoofed', 'x-forwarded-prefix': '/p' } });
      const s = lastAuth();
      assert.equal(s.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(s.headers['x-forwarded-uri'], '/real');
      assert.equal(s.headers['x-forwarded-prefix'], '/p');
      assert.equal(s.headers['x-forwarded-host'], 'falegacy.test');
    });

    it('authRequestHeaders sends only the listed headers (and the X-Forwarded ones)', async () => {
      await get(port, '/', { host: 'fafilter.test', headers: { cookie: 'c=1', authorization: 'Bearer t', 'x-custom': 'v' } });
      const s = lastAuth();
      assert.equal(s.headers.cookie, 'c=1');
      assert.equal(s.headers.authorization, undefined);
      assert.equal(s.headers['x-custom'], undefined);
      assert.equal(s.headers['x-forwarded-host'], 'fafilter.test');
    });
  });

  describe('any other answer is the response', () => {
    it('passes a 401 back as is: status, headers and body; the upstream is not called', async () => {
      const before = upHits;
      const r = await get(port, '/', { host: 'fadeny.test' });
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="api"');
      assert.equal(r.headers['x-reason'], 'expired');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.body, '{"error":"denied"}');
      assert.equal(upHits, before);
    });

    it('makes a relative Location absolute against the auth address, unless preserveLocationHeader', async () => {
      const r = await get(port, '/', { host: 'faredirect.test' });
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, `http://127.0.0.1:${authPort}/login?rd=back`);
      const p = await get(port, '/', { host: 'fapreserveloc.test' });
      assert.equal(p.headers.location, '/login?rd=back');
    });

    it('authSigninURL turns a 401 into a 302 to it', async () => {
      const r = await get(port, '/', { host: 'fasignin.test' });
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, 'https://sso.test/login');
      assert.equal(r.body, '<a href="https://sso.test/login">Found</a>.\n\n');
    });

    it('an unreachable auth server is a 500 with an empty body', async () => {
      const before = upHits;
      const r = await get(port, '/', { host: 'fadown.test' });
      assert.equal(r.status, 500);
      assert.equal(r.body, '');
      assert.equal(upHits, before);
    });

    it('a client leaving during the auth request abandons it', async () => {
      hang = deferred<ServerResponse>();
      const client = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'fahang.test' }, agent: false });
      client.on('error', () => {});
      client.end();
      const held = await within('the auth request', hang.promise);
      const closed = new Promise<void>((resolve) => held.on('close', () => resolve()));
      client.destroy();
      await within('the auth request to be closed by the proxy', closed);
    });

    it('an auth answer over maxResponseBodySize is a 401', async () => {
      const r = await get(port, '/', { host: 'fabig.test' });
      assert.equal(r.status, 401);
    });
  });

  describe('forwardBody', () => {
    it('sends the body (and, with preserveRequestMethod, the method) to the auth server and still forwards it', async () => {
      const r = await get(port, '/submit', { host: 'fabody.test', method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
      assert.equal(r.status, 200);
      const s = lastAuth();
      assert.equal(s.method, 'POST');
      assert.equal(s.body, 'hello');
      assert.equal(s.headers['content-length'], '5');
      assert.equal(upSeen?.body, 'hello');
      assert.equal(upSeen?.method, 'POST');
    });

    it('reads a chunked body too', async () => {
      const r = await postChunked(port, 'fabody.test', ['ab', 'cd']);
      assert.equal(r.status, 200);
      assert.equal(lastAuth().body, 'abcd');
      assert.equal(upSeen?.body, 'abcd');
    });

    it('a body over maxBodySize is a 401 and reaches neither server', async () => {
      const authBefore = authSeen.length;
      const upBefore = upHits;
      const r = await get(port, '/submit', { host: 'fabody.test', method: 'POST', body: 'x'.repeat(11) });
      assert.equal(r.status, 401);
      assert.equal(authSeen.length, authBefore);
      assert.equal(upHits, upBefore);
    });
  });

  describe('TLS to the auth server', () => {
    const cases = [
      { desc: 'trusted through tls.ca', host: 'fatls.test', status: 200 },
      { desc: 'not trusted without tls.ca (self-signed CA): 500', host: 'fatlsnoca.test', status: 500 },
      { desc: 'insecureSkipVerify', host: 'fatlsinsecure.test', status: 200 },
      { desc: 'a client certificate (tls.cert/key)', host: 'famtls.test', status: 200 },
      { desc: 'no client certificate: the 403 is passed back', host: 'famtlsnocert.test', status: 403 },
    ];
    for (const c of cases) {
      it(c.desc, async () => {
        const r = await get(port, '/', { host: c.host });
        assert.equal(r.status, c.status, r.body);
      });
    }
  });

  it('a bad option or an unreadable tls file disables only the router using it', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(errors.some((e) => e.includes('fabad') && e.includes('forwardAuth.authResponseHeadersRegex') && /invalid regular expression/.test(e)), JSON.stringify(errors));
    assert.ok(errors.some((e) => e.includes('middleware "fabadca@file"') && /tls\.ca: cannot read/.test(e)), JSON.stringify(errors));
    assert.equal((await get(port, '/', { host: 'fabad.test' })).status, 404);
    assert.equal((await get(port, '/', { host: 'fabadca.test' })).status, 404);
    assert.equal((await get(port, '/', { host: 'open.test' })).status, 200);
  });
});
