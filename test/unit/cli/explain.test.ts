/**
 * `turnpike explain` without a reachable API, or with one that refuses: each answer says what to
 * do. Real peers: a closed port, node:http servers answering 404, 401 (checking the credentials
 * taken from --api) and a routed explanation with an entry-point redirection.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseExplainArgs, runExplain } from '../../../src/cli/explain.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runExplain(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

const ROUTED = {
  request: { method: 'GET', url: 'http://app.test/', host: 'app.test', routingPath: '/', clientIP: '127.0.0.1', tls: false },
  entryPoint: { name: 'web', address: ':80', chosenBy: 'port 80' },
  result: 'routed',
  triedBefore: [],
  triedBeforeTotal: 0,
  router: {
    name: 'web-to-websecure@internal',
    rule: 'HostRegexp(`^.+$`)',
    priority: 9007199254740990,
    status: 'enabled',
    trace: { matcher: 'HostRegexp(`^.+$`)', result: true },
    redirect: { to: 'websecure', scheme: 'https', port: '443', permanent: true },
  },
  middlewares: [{ name: 'redirect-web-to-websecure@internal', from: 'entryPoint web', type: 'redirectscheme', status: 'enabled' }],
  service: { name: 'noop@internal', type: 'internal', status: 'enabled' },
  notes: [],
};

void describe('turnpike explain: arguments', () => {
  const cases: { desc: string; argv: string[]; api?: string; error?: RegExp }[] = [
    { desc: 'host:port without a scheme means http://', argv: ['http://a.test/', '--api', '127.0.0.1:8080'], api: 'http://127.0.0.1:8080' },
    { desc: 'a basePath is kept, trailing slash dropped', argv: ['http://a.test/', '--api=http://h:8080/traefik/'], api: 'http://h:8080/traefik' },
    { desc: 'another scheme is refused', argv: ['http://a.test/', '--api', 'ftp://h:21'], error: /--api takes the API's http:\/\/ or https:\/\/ URL/ },
    { desc: 'no URL', argv: ['--method', 'POST'], error: /missing the URL/ },
    { desc: 'a header without a colon', argv: ['http://a.test/', '-H', 'novalue'], error: /--header takes name:value/ },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = parseExplainArgs(c.argv);
      if (c.error) assert.match(typeof r === 'string' ? r : JSON.stringify(r), c.error);
      else assert.equal(typeof r === 'string' ? r : r.api, c.api);
    });
  }
});

void describe('turnpike explain: talking to the API', () => {
  void it('nothing listening: says it cannot reach the API and how to point at it', async () => {
    const { server, port } = await serve(() => undefined);
    await close(server);
    const r = await run(['http://a.test/', '--api', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`cannot reach the API at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    assert.match(r.err, /pass --api http:\/\/host:port/);
  });

  void it('a server without the API (404): hints at api and basePath', async () => {
    const { server, port } = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    });
    try {
      const r = await run(['http://a.test/', '--api', `127.0.0.1:${port}`]);
      assert.equal(r.code, 1);
      assert.match(r.err, /the API answered 404: 404 page not found\n\(no \/api\/explain there: is `api` enabled/);
    } finally {
      await close(server);
    }
  });

  void it('an API behind basicAuth: credentials of --api are sent as a header, never printed', async () => {
    const seen: (string | undefined)[] = [];
    const { server, port } = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('admin:s3cret pw').toString('base64')}`) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('401 Unauthorized\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ROUTED));
    });
    try {
      const denied = await run(['http://a.test/', '--api', `http://127.0.0.1:${port}`]);
      assert.equal(denied.code, 1);
      assert.match(denied.err, /answered 401: 401 Unauthorized\n\(the API is behind authentication: pass --api http:\/\/user:password@host:port\)/);
      const ok = await run(['http://app.test/', '--api', `http://admin:s3cret%20pw@127.0.0.1:${port}`]);
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, /redirect: {4}entry point redirection to websecure \(https, port 443, permanent\)/);
      assert.match(ok.out, /redirect-web-to-websecure@internal \[redirectscheme, enabled\] from entryPoint web/);
      assert.equal(seen.length, 2);
    } finally {
      await close(server);
    }
  });
});
