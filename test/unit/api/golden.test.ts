/**
 * The REST API against the request/response pairs of Traefik's own API tests (traefik/traefik
 * pkg/api/handler_*_test.go and testdata/*.json). Traefik's tests build runtime objects directly;
 * here the same objects go through the real path (validation, aggregation, compile), so:
 * - a golden file must be CONTAINED in Turnpike's answer (Turnpike adds e.g. a router's `using`,
 *   a load balancer's filled-in defaults);
 * - deliberate differences are spelled out per case (secrets redacted; references shown in the
 *   short form when in the router's own provider).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildGraph, contained, serveApi, staticFromFlags, type ApiServer, type Built } from './fixtures.js';

const STATIC = staticFromFlags(['--entryPoints.web.address=127.0.0.1:0', '--api']);

/** Traefik's routers of "all routers" (testdata/routers.json input), as a provider would write them. */
const MY_PROVIDER = {
  http: {
    routers: {
      test: { entryPoints: ['web'], service: 'foo-service', rule: 'Host(`foo.bar.other`)', middlewares: ['addPrefixTest', 'auth'] },
      bar: { entryPoints: ['web'], service: 'foo-service', rule: 'Host(`foo.bar`)', middlewares: ['auth', 'addPrefixTest@anotherprovider'] },
    },
    services: { 'foo-service': { loadBalancer: { servers: [{ url: 'http://127.0.0.1' }] } } },
    middlewares: { addPrefixTest: { addPrefix: { prefix: '/titi' } }, auth: { basicAuth: { users: ['admin:admin'] } } },
  },
};
const ANOTHER = { http: { middlewares: { addPrefixTest: { addPrefix: { prefix: '/toto' } } } } };

/** testdata/routers.json (service shown as written: `foo-service`, see the file comment). */
const ROUTERS_JSON = [
  { entryPoints: ['web'], middlewares: ['auth', 'addPrefixTest@anotherprovider'], name: 'bar@myprovider', provider: 'myprovider', rule: 'Host(`foo.bar`)', service: 'foo-service', status: 'enabled' },
  { entryPoints: ['web'], middlewares: ['addPrefixTest', 'auth'], name: 'test@myprovider', provider: 'myprovider', rule: 'Host(`foo.bar.other`)', service: 'foo-service', status: 'enabled' },
];

/** testdata/middlewares.json, users redacted (Traefik serves "admin:admin"; Turnpike never serves secrets). */
const MIDDLEWARES_JSON = [
  { addPrefix: { prefix: '/toto' }, name: 'addPrefixTest@anotherprovider', provider: 'anotherprovider', status: 'enabled', type: 'addprefix', usedBy: ['bar@myprovider'] },
  { addPrefix: { prefix: '/titi' }, name: 'addPrefixTest@myprovider', provider: 'myprovider', status: 'enabled', type: 'addprefix', usedBy: ['test@myprovider'] },
  { basicAuth: { users: ['xxxx'] }, name: 'auth@myprovider', provider: 'myprovider', status: 'enabled', type: 'basicauth' },
];

/** generateHTTPRouters(n) of Traefik's tests: bar00@myprovider ... */
function manyRouters(n: number): Record<string, unknown> {
  const routers: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) routers[`bar${String(i).padStart(2, '0')}`] = { entryPoints: ['web'], service: 'foo-service', rule: 'Host(`foo.bar`)' };
  return { http: { routers, services: { 'foo-service': { loadBalancer: { servers: [{ url: 'http://127.0.0.1' }] } } } } };
}

async function withApi(providers: Record<string, unknown>, fn: (api: ApiServer, built: Built) => Promise<void>): Promise<void> {
  const built = await buildGraph(STATIC, providers);
  const api = await serveApi(STATIC, () => built.graph);
  try {
    await fn(api, built);
  } finally {
    await api.close();
    await built.close();
  }
}

function assertContained(actual: unknown, expected: unknown, desc: string): void {
  const problems = contained(actual, expected);
  assert.deepEqual(problems, [], `${desc}: ${JSON.stringify(actual)}`);
}

void describe('REST API: Traefik golden pairs', () => {
  let built: Built;
  let api: ApiServer;
  before(async () => {
    built = await buildGraph(STATIC, { myprovider: MY_PROVIDER, anotherprovider: ANOTHER });
    api = await serveApi(STATIC, () => built.graph);
  });
  after(async () => {
    await api.close();
    await built.close();
  });

  void it('all routers (routers.json), X-Next-Page 1', async () => {
    const r = await api.get('/api/http/routers');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-next-page'], '1');
    assertContained(r.json, ROUTERS_JSON, 'routers.json');
  });

  void it('one router by id (router-bar.json) with using', async () => {
    const r = await api.get('/api/http/routers/bar@myprovider');
    assert.equal(r.status, 200);
    assertContained(r.json, { ...ROUTERS_JSON[0], using: ['web'] }, 'router-bar.json');
  });

  void it('a router that does not exist is a 404 with a JSON message', async () => {
    const r = await api.get('/api/http/routers/foo@myprovider');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: 'router not found: foo@myprovider' });
  });

  void it('all middlewares (middlewares.json), secrets redacted', async () => {
    const r = await api.get('/api/http/middlewares');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-next-page'], '1');
    assertContained(r.json, MIDDLEWARES_JSON, 'middlewares.json');
    assert.ok(!r.body.includes('admin:admin'));
  });

  void it('one middleware by id (middleware-auth.json) and a missing one', async () => {
    const r = await api.get('/api/http/middlewares/auth@myprovider');
    assertContained(r.json, MIDDLEWARES_JSON[2], 'middleware-auth.json');
    const missing = await api.get('/api/http/middlewares/nono@myprovider');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { message: 'middleware not found: nono@myprovider' });
  });

  void it('one service by id (service-bar.json shape): loadBalancer, serverStatus UP, type', async () => {
    const r = await api.get('/api/http/services/foo-service@myprovider');
    assert.equal(r.status, 200);
    assertContained(
      r.json,
      {
        loadBalancer: { passHostHeader: true, servers: [{ url: 'http://127.0.0.1' }] },
        name: 'foo-service@myprovider',
        provider: 'myprovider',
        serverStatus: { 'http://127.0.0.1': 'UP' },
        status: 'enabled',
        type: 'loadbalancer',
        usedBy: ['test@myprovider', 'bar@myprovider'],
      },
      'service-bar.json',
    );
    const missing = await api.get('/api/http/services/nono@myprovider');
    assert.deepEqual([missing.status, missing.json], [404, { message: 'service not found: nono@myprovider' }]);
  });

  void it('rawdata (getrawdata.json): routers, middlewares, services by name', async () => {
    const r = await api.get('/api/rawdata');
    const raw = r.json as Record<string, Record<string, unknown>>;
    assertContained(raw['routers']?.['bar@myprovider'], { entryPoints: ['web'], middlewares: ['auth', 'addPrefixTest@anotherprovider'], rule: 'Host(`foo.bar`)', status: 'enabled' }, 'rawdata router');
    assertContained(raw['middlewares']?.['addPrefixTest@anotherprovider'], { addPrefix: { prefix: '/toto' }, status: 'enabled', usedBy: ['bar@myprovider'] }, 'rawdata middleware');
    assertContained(raw['services']?.['foo-service@myprovider'], { loadBalancer: { servers: [{ url: 'http://127.0.0.1' }], passHostHeader: true }, status: 'enabled' }, 'rawdata service');
    assert.equal('tcpRouters' in raw, false);
  });

  void it('overview (overview-dynamic.json shape) and features/providers', async () => {
    const r = await api.get('/api/overview');
    const o = r.json as Record<string, Record<string, unknown>>;
    // 2 routers; services: foo-service + api/dashboard/noop@internal; 3 middlewares.
    assert.deepEqual(o['http'], { routers: { total: 2, warnings: 0, errors: 0 }, services: { total: 4, warnings: 0, errors: 0 }, middlewares: { total: 3, warnings: 0, errors: 0 } });
    assert.deepEqual(o['tcp'], { routers: { total: 0, warnings: 0, errors: 0 }, services: { total: 0, warnings: 0, errors: 0 }, middlewares: { total: 0, warnings: 0, errors: 0 } });
    assert.deepEqual(o['udp'], { routers: { total: 0, warnings: 0, errors: 0 }, services: { total: 0, warnings: 0, errors: 0 } });
    assert.deepEqual(o['features'], { tracing: '', metrics: '', accessLog: false });
    assert.equal('providers' in o, false);
  });

  void it('entry points (entrypoints.json shape): durations as Go strings, 404 for an unknown one', async () => {
    const r = await api.get('/api/entrypoints');
    assert.equal(r.headers['x-next-page'], '1');
    assertContained(
      r.json,
      [{ address: '127.0.0.1:0', name: 'web', transport: { lifeCycle: { graceTimeOut: '10s', requestAcceptGraceTimeout: '0s' }, respondingTimeouts: { idleTimeout: '3m0s', readTimeout: '1m0s', writeTimeout: '0s' } } }],
      'entrypoints.json',
    );
    const one = await api.get('/api/entrypoints/web');
    assertContained(one.json, { name: 'web', address: '127.0.0.1:0' }, 'entrypoint-bar.json');
    const missing = await api.get('/api/entrypoints/nope');
    assert.deepEqual([missing.status, missing.json], [404, { message: 'entry point not found: nope' }]);
  });

  void it('tcp and udp lists are empty; version answers', async () => {
    for (const path of ['/api/tcp/routers', '/api/tcp/services', '/api/tcp/middlewares', '/api/udp/routers', '/api/udp/services']) {
      const r = await api.get(path);
      assert.deepEqual([r.status, r.json, r.headers['x-next-page']], [200, [], '1'], path);
    }
    const v = await api.get('/api/version');
    assertContained(v.json, { Codename: 'turnpike', startDate: '2026-01-01T00:00:00.000Z', disableDashboardAd: false }, 'version');
    assert.equal(typeof (v.json as Record<string, unknown>)['Version'], 'string');
  });

  void it('unknown paths answer Go 404 page not found; other methods 405', async () => {
    const r = await api.get('/api/nothing');
    assert.deepEqual([r.status, r.body], [404, '404 page not found\n']);
  });
});

void describe('REST API: pagination, filters, sorting (Traefik cases)', () => {
  const cases: { desc: string; providers: Record<string, unknown>; path: string; status: number; nextPage?: string; names?: string[]; message?: string }[] = [
    {
      desc: 'all routers, 1 per page, page 2 of 3 (routers-page2.json)',
      providers: { myprovider: { http: { ...MY_PROVIDER.http, routers: { ...MY_PROVIDER.http.routers, baz: { entryPoints: ['web'], service: 'foo-service', rule: 'Host(`toto.bar`)' } } } }, anotherprovider: ANOTHER },
      path: '/api/http/routers?page=2&per_page=1',
      status: 200,
      nextPage: '3',
      names: ['baz@myprovider'],
    },
    {
      desc: '19 routers, 7 per page, page 3 (routers-many-lastpage.json)',
      providers: { myprovider: manyRouters(19) },
      path: '/api/http/routers?page=3&per_page=7',
      status: 200,
      nextPage: '1',
      names: ['bar14@myprovider', 'bar15@myprovider', 'bar16@myprovider', 'bar17@myprovider', 'bar18@myprovider'],
    },
    { desc: '5 routers, 10 per page, page 2: 400', providers: { myprovider: manyRouters(5) }, path: '/api/http/routers?page=2&per_page=10', status: 400, message: 'invalid request: page: 2, per_page: 10' },
    { desc: '10 routers, 10 per page, page 2: 400', providers: { myprovider: manyRouters(10) }, path: '/api/http/routers?page=2&per_page=10', status: 400, message: 'invalid request: page: 2, per_page: 10' },
    { desc: 'per_page=0 is refused', providers: { myprovider: manyRouters(1) }, path: '/api/http/routers?per_page=0', status: 400, message: 'invalid request: per_page: 0' },
    { desc: 'per_page=-1 is refused with its value', providers: { myprovider: manyRouters(1) }, path: '/api/http/routers?per_page=-1', status: 400, message: 'invalid request: per_page: -1' },
    { desc: 'per_page=1e9 is not an integer for Go: 0', providers: { myprovider: manyRouters(1) }, path: '/api/http/routers?per_page=1e9', status: 400, message: 'invalid request: per_page: 0' },
    { desc: 'page=abc: 0', providers: { myprovider: manyRouters(1) }, path: '/api/http/routers?page=abc', status: 400, message: 'invalid request: page: 0' },
    { desc: 'page beyond int64: Atoi clamps', providers: { myprovider: manyRouters(1) }, path: '/api/http/routers?page=99999999999999999999', status: 400, message: 'invalid request: page: 9223372036854775807' },
    {
      desc: 'per_page=1000000000: one page of everything',
      providers: { myprovider: manyRouters(3) },
      path: '/api/http/routers?per_page=1000000000&search=bar',
      status: 200,
      nextPage: '1',
      names: ['bar00@myprovider', 'bar01@myprovider', 'bar02@myprovider'],
    },
    {
      desc: 'a huge valid page (beyond 2^53) is past the data, printed exactly',
      providers: { myprovider: manyRouters(3) },
      path: '/api/http/routers?page=9007199254740993&per_page=1',
      status: 400,
      message: 'invalid request: page: 9007199254740993, per_page: 1',
    },
    {
      desc: 'routers filtered by status (routers-filtered-status.json): bar is disabled',
      providers: { myprovider: { http: { ...MY_PROVIDER.http, routers: { ...MY_PROVIDER.http.routers, bar: { ...MY_PROVIDER.http.routers.bar, service: 'missing' } } } }, anotherprovider: ANOTHER },
      path: '/api/http/routers?status=enabled',
      status: 200,
      nextPage: '1',
      names: ['test@myprovider'],
    },
    {
      desc: 'routers filtered by search (routers-filtered-search.json): rule or name',
      providers: { myprovider: { http: { ...MY_PROVIDER.http, routers: { ...MY_PROVIDER.http.routers, test: { ...MY_PROVIDER.http.routers.test, rule: 'Host(`fii.bar.other`)' } } } }, anotherprovider: ANOTHER },
      path: '/api/http/routers?search=fii',
      status: 200,
      names: ['test@myprovider'],
    },
    {
      desc: 'routers filtered by serviceName (qualified criterion vs a same-provider reference)',
      providers: { myprovider: { http: { ...MY_PROVIDER.http, routers: { ...MY_PROVIDER.http.routers, other: { service: 'other', rule: 'Path(`/`)' } }, services: { ...MY_PROVIDER.http.services, other: { loadBalancer: { servers: [{ url: 'http://127.0.0.2' }] } } } } }, anotherprovider: ANOTHER },
      path: '/api/http/routers?serviceName=foo-service@myprovider',
      status: 200,
      names: ['bar@myprovider', 'test@myprovider'],
    },
    {
      desc: 'routers filtered by middlewareName (as the router writes it)',
      providers: { myprovider: MY_PROVIDER, anotherprovider: ANOTHER },
      path: '/api/http/routers?middlewareName=addPrefixTest@anotherprovider',
      status: 200,
      names: ['bar@myprovider'],
    },
    {
      // Byte order: "Host(`foo.bar.other`)" < "Host(`foo.bar`)" ('.' < '`').
      desc: 'routers sorted by rule, descending',
      providers: { myprovider: MY_PROVIDER, anotherprovider: ANOTHER },
      path: '/api/http/routers?sortBy=rule&direction=desc',
      status: 200,
      names: ['bar@myprovider', 'test@myprovider'],
    },
    {
      desc: 'middlewares sorted by type then name',
      providers: { myprovider: MY_PROVIDER, anotherprovider: ANOTHER },
      path: '/api/http/middlewares?sortBy=type',
      status: 200,
      names: ['addPrefixTest@anotherprovider', 'addPrefixTest@myprovider', 'auth@myprovider'],
    },
    {
      desc: 'services filtered by search (services-filtered-search.json)',
      providers: { myprovider: MY_PROVIDER },
      path: '/api/http/services?search=foo',
      status: 200,
      names: ['foo-service@myprovider'],
    },
    {
      desc: 'services filtered by status disabled: none',
      providers: { myprovider: MY_PROVIDER },
      path: '/api/http/services?status=disabled',
      status: 200,
      names: [],
    },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      await withApi(c.providers, async (api) => {
        const r = await api.get(c.path);
        assert.equal(r.status, c.status, r.body);
        if (c.nextPage !== undefined) assert.equal(r.headers['x-next-page'], c.nextPage);
        if (c.names !== undefined) assert.deepEqual((r.json as { name: string }[]).map((o) => o.name), c.names);
        if (c.message !== undefined) {
          assert.deepEqual(r.json, { message: c.message });
          assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
        }
      });
    });
  }

  void it('a router with `tls: {}` shows options "default" (router-baz-default-tls-options.json)', async () => {
    const providers = { myprovider: { http: { ...MY_PROVIDER.http, routers: { baz: { entryPoints: ['web'], service: 'foo-service', rule: 'Host(`foo.baz`)', tls: {} } } } } };
    await withApi(providers, async (api) => {
      const r = await api.get('/api/http/routers/baz@myprovider');
      assertContained(r.json, { rule: 'Host(`foo.baz`)', tls: { options: 'default' }, status: 'enabled', using: ['web'] }, 'router-baz-default-tls-options.json');
    });
  });

  void it('names holding / and % are found URL-encoded; unknown ones are a 404 naming them', async () => {
    const providers = { myprovider: { http: { ...MY_PROVIDER.http, routers: { 'a/b%c': { entryPoints: ['web'], service: 'foo-service', rule: 'Host(`x.test`)' } } } } };
    await withApi(providers, async (api) => {
      const r = await api.get(`/api/http/routers/${encodeURIComponent('a/b%c@myprovider')}`);
      assert.equal(r.status, 200, r.body);
      assert.equal((r.json as { name: string }).name, 'a/b%c@myprovider');
      const missing = await api.get(`/api/http/routers/${encodeURIComponent('x/y%z@myprovider')}`);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json, { message: 'router not found: x/y%z@myprovider' });
      // Not UTF-8 once decoded: looked up as written.
      const raw = await api.get('/api/http/services/%C0@x');
      assert.deepEqual(raw.json, { message: 'service not found: %C0@x' });
    });
  });

  void it('an entry point redirection: its internal router names its redirectScheme middleware, listed too', async () => {
    const st = staticFromFlags(['--entryPoints.web.address=127.0.0.1:8000', '--entryPoints.web.http.redirections.entryPoint.to=websecure', '--entryPoints.websecure.address=127.0.0.1:8443', '--api']);
    const built = await buildGraph(st, { myprovider: MY_PROVIDER });
    const api = await serveApi(st, () => built.graph);
    try {
      const router = await api.get('/api/http/routers/web-to-websecure@internal');
      assertContained(router.json, { entryPoints: ['web'], middlewares: ['redirect-web-to-websecure'], service: 'noop@internal', rule: 'HostRegexp(`^.+$`)', status: 'enabled', provider: 'internal' }, 'redirection router');
      const mw = await api.get('/api/http/middlewares/redirect-web-to-websecure@internal');
      assert.deepEqual(mw.json, {
        redirectScheme: { scheme: 'https', port: '8443', permanent: true },
        status: 'enabled',
        usedBy: ['web-to-websecure@internal'],
        name: 'redirect-web-to-websecure@internal',
        provider: 'internal',
        type: 'redirectscheme',
      });
      const overview = (await api.get('/api/overview')).json as { http: { middlewares: { total: number } } };
      assert.equal(overview.http.middlewares.total, ((await api.get('/api/http/middlewares')).json as unknown[]).length);
    } finally {
      await api.close();
      await built.close();
    }
  });
});

