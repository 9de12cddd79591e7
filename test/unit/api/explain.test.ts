/**
 * /api/explain on a real compiled graph: the winner, the routers tried before it, the chain, the
 * service and servers; a 404's nearest routers and notes; and a property: for random requests the
 * explained winner is the router a plain priority scan of the entry point's table picks, every
 * router tried before it has a failing matcher, and the winner's rule traces true.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { HeaderList } from '../../../src/exchange/headers.js';
import { createScanTable } from '../../../src/rules/index.js';
import { explainRequest } from '../../../src/api/explain.js';
import { buildGraph, serveApi, staticFromFlags, type ApiServer, type Built } from './fixtures.js';

const STATIC = staticFromFlags(['--entryPoints.web.address=127.0.0.1:8000', '--entryPoints.other.address=127.0.0.1:8001', '--api']);

const FILE = {
  http: {
    routers: {
      api: { entryPoints: ['web'], rule: 'Host(`app.test`) && PathPrefix(`/api`)', service: 'app', middlewares: ['strip'] },
      root: { entryPoints: ['web'], rule: 'Host(`app.test`)', service: 'split' },
      admin: { entryPoints: ['web'], rule: 'Host(`app.test`) && PathPrefix(`/admin`) && ClientIP(`10.0.0.0/8`)', service: 'app', priority: 1000 },
      beta: { entryPoints: ['web'], rule: 'Host(`app.test`) && Header(`X-Beta`, `1`)', service: 'app', priority: 500 },
      posts: { entryPoints: ['web'], rule: 'Method(`POST`) && PathPrefix(`/upload`)', service: 'app' },
      query: { entryPoints: ['web'], rule: 'Query(`debug`) && Host(`app.test`)', service: 'app', priority: 400 },
      secure: { entryPoints: ['web'], rule: 'Host(`secure.test`)', service: 'app', tls: {} },
      broken: { entryPoints: ['web'], rule: 'Host(`broken.test`)', service: 'missing' },
      elsewhere: { entryPoints: ['other'], rule: 'Host(`other.test`)', service: 'app' },
      wild: { entryPoints: ['web'], rule: 'HostRegexp(`^.+\\.wild\\.test$`)', service: 'app' },
    },
    middlewares: { strip: { stripPrefix: { prefixes: ['/api'] } } },
    services: {
      app: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9001' }, { url: 'http://127.0.0.1:9002' }] } },
      canary: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9003' }] } },
      split: { weighted: { services: [{ name: 'app', weight: 3 }, { name: 'canary', weight: 1 }] } },
    },
  },
};

type Obj = Record<string, unknown>;

void describe('/api/explain', () => {
  let built: Built;
  let api: ApiServer;
  before(async () => {
    built = await buildGraph(STATIC, { file: FILE });
    api = await serveApi(STATIC, () => built.graph);
  });
  after(async () => {
    await api.close();
    await built.close();
  });

  const explain = async (query: string): Promise<{ status: number; body: Obj }> => {
    const r = await api.get(`/api/explain?${query}`);
    return { status: r.status, body: r.json as Obj };
  };

  void it('a routed request: entry point by port, winner with trace, tried-before, chain, service, servers', async () => {
    const { status, body } = await explain(`url=${encodeURIComponent('http://app.test:8000/api/users')}`);
    assert.equal(status, 200);
    assert.equal(body['result'], 'routed');
    assert.deepEqual(body['entryPoint'], { name: 'web', address: '127.0.0.1:8000', chosenBy: 'port 8000' });
    const router = body['router'] as Obj;
    assert.equal(router['name'], 'api@file');
    assert.deepEqual(router['trace'], { and: [{ matcher: 'Host(`app.test`)', result: true }, { matcher: 'PathPrefix(`/api`)', result: true }], result: true });
    // admin (1000), beta (500), query (400) come first in the table and fail.
    const tried = body['triedBefore'] as Obj[];
    assert.deepEqual(
      tried.slice(0, 3).map((t) => [t['name'], t['failed']]),
      [
        ['admin@file', ['PathPrefix(`/admin`)', 'ClientIP(`10.0.0.0/8`)']],
        ['beta@file', ['Header(`X-Beta`, `1`)']],
        ['query@file', ['Query(`debug`)']],
      ],
    );
    assert.deepEqual(body['middlewares'], [{ name: 'strip@file', from: 'router', type: 'stripprefix', status: 'enabled' }]);
    assert.deepEqual(body['service'], {
      name: 'app@file',
      type: 'loadbalancer',
      status: 'enabled',
      servers: [
        { url: 'http://127.0.0.1:9001', weight: 1, status: 'UP' },
        { url: 'http://127.0.0.1:9002', weight: 1, status: 'UP' },
      ],
    });
  });

  void it('headers, client IP and method take part: beta by header, admin by client IP, weighted children', async () => {
    const beta = await explain(`url=${encodeURIComponent('http://app.test:8000/')}&header=X-Beta:1`);
    assert.equal((beta.body['router'] as Obj)['name'], 'beta@file');
    const admin = await explain(`url=${encodeURIComponent('http://app.test:8000/admin/x')}&clientIP=10.1.2.3`);
    assert.equal((admin.body['router'] as Obj)['name'], 'admin@file');
    const root = await explain(`url=${encodeURIComponent('http://app.test:8000/')}`);
    const svc = root.body['service'] as Obj;
    assert.equal(svc['type'], 'weighted');
    assert.deepEqual((svc['children'] as Obj[]).map((c) => [c['name'], c['weight']]), [['app@file', 3], ['canary@file', 1]]);
    const post = await explain(`url=${encodeURIComponent('http://x.test:8000/upload')}&method=POST`);
    assert.equal((post.body['router'] as Obj)['name'], 'posts@file');
    // A Host header wins over the URL's authority.
    const host = await explain(`url=${encodeURIComponent('http://127.0.0.1:8000/api')}&header=Host:app.test`);
    assert.equal((host.body['router'] as Obj)['name'], 'api@file');
  });

  void it('a 404: nearest routers with their failing matchers', async () => {
    const { body } = await explain(`url=${encodeURIComponent('http://nothing.test:8000/api')}`);
    assert.equal(body['result'], 'notFound');
    assert.equal(body['status'], 404);
    const nearest = body['nearest'] as Obj[];
    assert.equal(nearest[0]?.['name'], 'api@file');
    assert.deepEqual(nearest[0]?.['failed'], ['Host(`app.test`)']);
  });

  void it('notes: a TLS router asked over HTTP, a disabled router, a router on another entry point', async () => {
    const tls = await explain(`url=${encodeURIComponent('http://secure.test:8000/')}`);
    assert.deepEqual(tls.body['notes'], ['router "secure@file" matches but is a TLS router (it serves HTTPS only); this request is plain HTTP']);
    const https = await explain(`url=${encodeURIComponent('https://secure.test:8000/')}`);
    assert.equal((https.body['router'] as Obj)['name'], 'secure@file');
    const broken = await explain(`url=${encodeURIComponent('http://broken.test:8000/')}`);
    assert.deepEqual(broken.body['notes'], ['router "broken@file" matches but is disabled: service "missing@file" does not exist']);
    const other = await explain(`url=${encodeURIComponent('http://other.test:8000/')}`);
    assert.deepEqual(other.body['notes'], ['router "elsewhere@file" would match on entry point "other", not on "web"']);
    const byParam = await explain(`url=${encodeURIComponent('http://other.test:8000/')}&entryPoint=other`);
    assert.equal((byParam.body['router'] as Obj)['name'], 'elsewhere@file');
  });

  void it('bad questions are 400 with a message', async () => {
    const cases: { desc: string; query: string; message: RegExp }[] = [
      { desc: 'no url', query: 'method=GET', message: /explain needs url=/ },
      { desc: 'relative url', query: 'url=/x', message: /absolute http/ },
      { desc: 'no entry point on the port', query: `url=${encodeURIComponent('http://a.test:9999/')}`, message: /no entry point listens on port 9999/ },
      { desc: 'unknown entry point', query: `url=${encodeURIComponent('http://a.test/')}&entryPoint=nope`, message: /entry point "nope" does not exist/ },
      { desc: 'bad header', query: `url=${encodeURIComponent('http://a.test:8000/')}&header=novalue`, message: /header must be name:value/ },
    ];
    for (const c of cases) {
      const r = await explain(c.query);
      assert.equal(r.status, 400, c.desc);
      assert.match(String(r.body['message']), c.message, c.desc);
    }
  });

  void it('property: the explained winner is the scan of the entry point table; tried-before all fail', () => {
    const graph = built.graph;
    const tables = graph.routeTables?.get('web');
    assert.ok(tables);
    const scan = createScanTable(tables.plain.entries);
    const requests = fc.record({
      host: fc.constantFrom('app.test', 'APP.test', 'x.wild.test', 'nothing.test', 'secure.test', 'broken.test', '127.0.0.1:8000'),
      path: fc.constantFrom('/', '/api', '/api/x', '/admin', '/admin/y', '/upload', '/other'),
      method: fc.constantFrom('GET', 'POST', 'PUT'),
      beta: fc.boolean(),
      debug: fc.boolean(),
      clientIP: fc.constantFrom('127.0.0.1', '10.9.9.9', '::1'),
    });
    fc.assert(
      fc.property(requests, (r) => {
        const headers: [string, string][] = [['Host', r.host]];
        if (r.beta) headers.push(['X-Beta', '1']);
        const path = `${r.path}${r.debug ? '?debug' : ''}`;
        const body = explainRequest(graph, STATIC, { url: `http://127.0.0.1:8000${path}`, method: r.method, headers, clientIP: r.clientIP });
        const want = scan.match({
          method: r.method,
          host: r.host,
          routingPath: r.path,
          query: r.debug ? 'debug' : null,
          headers: new HeaderList(headers.flat()),
          peer: { address: r.clientIP },
        });
        const router = body['router'] as Obj | undefined;
        assert.equal(router?.['name'], want?.name, JSON.stringify(r));
        if (router) assert.equal((router['trace'] as Obj)['result'], true);
        for (const t of body['triedBefore'] as Obj[]) assert.ok((t['failed'] as unknown[]).length > 0, `${String(t['name'])} tried before but nothing failed`);
        assert.equal(body['triedBeforeTotal'], want === undefined ? scan.size : scan.entries.indexOf(want));
      }),
      { numRuns: 400 },
    );
  });
});

void describe('/api/explain: redirections, entry-point middlewares, ties', () => {
  const S = staticFromFlags([
    '--entryPoints.web.address=127.0.0.1:8000',
    '--entryPoints.web.http.redirections.entryPoint.to=websecure',
    '--entryPoints.websecure.address=127.0.0.1:8443',
    '--entryPoints.websecure.http.middlewares=hdr@file',
    '--entryPoints.websecure.http.tls=true',
    '--api',
  ]);
  const F = {
    http: {
      routers: {
        app: { rule: 'Host(`app.test`)', service: 'app', middlewares: ['strip'] },
        zed: { rule: 'Host(`tie.test`)', service: 'app', priority: 7 },
        alpha: { rule: 'Host(`tie.test`)', service: 'app', priority: 7 },
      },
      middlewares: { strip: { stripPrefix: { prefixes: ['/api'] } }, hdr: { headers: { customRequestHeaders: { 'X-A': 'b' } } } },
      services: {
        app: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9001' }] } },
      },
    },
  };
  let built: Built;
  before(async () => {
    built = await buildGraph(S, { file: F });
  });
  after(() => built.close());
  const explain = (url: string, entryPoint?: string): Obj => explainRequest(built.graph, S, { url, ...(entryPoint ? { entryPoint } : {}) });

  void it('an entry point redirection wins on its entry point: named, with its target, and what it hides', () => {
    const body = explain('http://app.test:8000/api');
    const router = body['router'] as Obj;
    assert.equal(router['name'], 'web-to-websecure@internal');
    assert.deepEqual(router['redirect'], { to: 'websecure', scheme: 'https', port: '8443', permanent: true });
    assert.deepEqual(body['middlewares'], [{ name: 'redirect-web-to-websecure@internal', from: 'entryPoint web', type: 'redirectscheme', status: 'enabled' }]);
    assert.equal((body['service'] as Obj)['name'], 'noop@internal');
    assert.ok(
      (body['notes'] as string[]).some((n) => n.startsWith('router "app@file" (priority 16) matches too, but entry point "web" redirects every request first')),
      JSON.stringify(body['notes']),
    );
  });

  void it('https on a TLS entry point: the entry point middlewares come before the router ones', () => {
    const body = explain('https://app.test:8443/api/x');
    assert.equal((body['router'] as Obj)['name'], 'app@file');
    assert.deepEqual(
      (body['middlewares'] as Obj[]).map((m) => [m['name'], m['from']]),
      [
        ['hdr@file', 'entryPoint websecure'],
        ['strip@file', 'router'],
      ],
    );
    // The same request over plain HTTP on the TLS entry point: no router (all of them are TLS routers there).
    const plain = explain('http://app.test:8443/api/x');
    assert.equal(plain['result'], 'notFound');
    assert.ok((plain['notes'] as string[]).some((n) => n.includes('"app@file" matches but is a TLS router')));
  });

  void it('a priority tie: the winner is the first name, and the note names the other', () => {
    const body = explain('https://tie.test:8443/');
    assert.equal((body['router'] as Obj)['name'], 'alpha@file');
    assert.deepEqual(body['notes'], ['router "zed@file" matches too with the same priority 7; "alpha@file" wins because ties go to the name that sorts first (set a priority to choose)']);
  });
});
