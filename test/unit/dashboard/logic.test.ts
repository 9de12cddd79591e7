/**
 * The dashboard's pure front-end logic (dashboard/src/logic): hash routes, list filters and
 * paging, history diffs, the explainer's header parsing and trace rows, the request path drawn on
 * detail pages, overview counts and WCAG contrast.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_QUERY, formatRoute, parseHash, type Route } from '../../../dashboard/src/logic/route.js';
import { ariaSort, hasNextPage, listApiPath, toggleSort, withFilter } from '../../../dashboard/src/logic/filters.js';
import { diffGroups, entrySummary, readHistory, type HistoryEntry } from '../../../dashboard/src/logic/history-diff.js';
import { explainApiPath, flattenTrace, parseHeaderLines } from '../../../dashboard/src/logic/explain-view.js';
import { childServices, qualify, requestPath, serversOf, type JsonObject } from '../../../dashboard/src/logic/request-path.js';
import { countsOf, featuresOf, overviewCells } from '../../../dashboard/src/logic/overview.js';
import { contrastRatio, over, parseColor } from '../../../dashboard/src/logic/contrast.js';

describe('dashboard hash routes', () => {
  it('parses every page', () => {
    const cases: { desc: string; hash: string; want: Route }[] = [
      { desc: 'empty', hash: '', want: { page: 'overview' } },
      { desc: 'root', hash: '#/', want: { page: 'overview' } },
      { desc: 'protocol alone = routers', hash: '#/tcp', want: { page: 'list', protocol: 'tcp', kind: 'routers', query: EMPTY_QUERY } },
      { desc: 'list with filters', hash: '#/http/services?search=api&status=warning&page=3', want: { page: 'list', protocol: 'http', kind: 'services', query: { ...EMPTY_QUERY, search: 'api', status: 'warning', page: 3 } } },
      { desc: 'bad filters dropped', hash: '#/http/routers?status=weird&page=-2&direction=up', want: { page: 'list', protocol: 'http', kind: 'routers', query: EMPTY_QUERY } },
      { desc: 'trailing slash', hash: '#/http/middlewares/', want: { page: 'list', protocol: 'http', kind: 'middlewares', query: EMPTY_QUERY } },
      { desc: 'detail, escaped name', hash: '#/http/routers/a%2Fb%40file', want: { page: 'detail', protocol: 'http', kind: 'routers', name: 'a/b@file' } },
      { desc: 'udp has no middlewares', hash: '#/udp/middlewares', want: { page: 'notFound', hash: '#/udp/middlewares' } },
      { desc: 'explain', hash: '#/explain?url=http%3A%2F%2Fa.com%2F&method=POST&header=X-A%3A%201&header=X-B%3A%202', want: { page: 'explain', params: { url: 'http://a.com/', method: 'POST', headers: ['X-A: 1', 'X-B: 2'], clientIP: '', entryPoint: '' } } },
      { desc: 'history', hash: '#/history', want: { page: 'history' } },
      { desc: 'unknown', hash: '#/nope', want: { page: 'notFound', hash: '#/nope' } },
      { desc: 'bad escape', hash: '#/http/routers/%E0%A4%A', want: { page: 'notFound', hash: '#/http/routers/%E0%A4%A' } },
    ];
    for (const c of cases) assert.deepEqual(parseHash(c.hash), c.want, c.desc);
  });

  it('formats routes that parse back to themselves', () => {
    const routes: Route[] = [
      { page: 'overview' },
      { page: 'history' },
      { page: 'list', protocol: 'http', kind: 'routers', query: { ...EMPTY_QUERY, search: 'a b&c', status: 'disabled', page: 2, sortBy: 'priority', direction: 'desc', serviceName: 's@file' } },
      { page: 'detail', protocol: 'tcp', kind: 'services', name: 'we#ird/na me@docker' },
      { page: 'explain', params: { url: 'https://x.com:8443/a?b=1#', method: 'DELETE', headers: ['Cookie: a=b; c=d'], clientIP: '10.0.0.1', entryPoint: 'web' } },
    ];
    for (const r of routes) assert.deepEqual(parseHash(formatRoute(r)), r, formatRoute(r));
  });
});

describe('dashboard list filters', () => {
  it('asks the API with its own query parameters', () => {
    assert.equal(listApiPath('http', 'routers', EMPTY_QUERY), 'http/routers?page=1&per_page=50');
    assert.equal(
      listApiPath('http', 'routers', { ...EMPTY_QUERY, search: 'a&b', status: 'warning', serviceName: 's@file', middlewareName: 'm@file', sortBy: 'priority', direction: 'desc', page: 2 }, 10),
      'http/routers?search=a%26b&status=warning&serviceName=s%40file&middlewareName=m%40file&sortBy=priority&direction=desc&page=2&per_page=10',
    );
    assert.equal(listApiPath('tcp', 'services', { ...EMPTY_QUERY, serviceName: 'ignored' }), 'tcp/services?page=1&per_page=50', 'serviceName is a router filter');
  });

  it('reads X-Next-Page as Traefik sends it', () => {
    const cases = [
      { desc: 'more', header: '2', page: 1, want: true },
      { desc: 'last page', header: '1', page: 3, want: false },
      { desc: 'missing', header: null, page: 1, want: false },
      { desc: 'garbage', header: 'x', page: 1, want: false },
    ];
    for (const c of cases) assert.equal(hasNextPage(c.header, c.page), c.want, c.desc);
  });

  it('goes back to page 1 on a filter change, sorts and flips', () => {
    const q = { ...EMPTY_QUERY, page: 4 };
    assert.equal(withFilter(q, { search: 'x' }).page, 1);
    assert.equal(withFilter(q, { page: 5 }).page, 5);
    const sorted = toggleSort(q, 'priority');
    assert.deepEqual([sorted.sortBy, sorted.direction, sorted.page], ['priority', 'asc', 1]);
    assert.equal(toggleSort(sorted, 'priority').direction, 'desc');
    assert.equal(ariaSort(sorted, 'priority'), 'ascending');
    assert.equal(ariaSort(EMPTY_QUERY, 'name'), 'ascending', 'the API sorts by name by default');
    assert.equal(ariaSort(sorted, 'name'), 'none');
  });
});

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({ id: 1, time: '2026-01-01T00:00:00.000Z', kind: 'applied', version: 1, providers: ['file'], errors: [], warnings: 0, ...over });
const nd = (added: string[], removed: string[], changed: string[], counts?: { added: number; removed: number; changed: number }) => ({ added, removed, changed, counts: counts ?? { added: added.length, removed: removed.length, changed: changed.length } });

describe('dashboard history diffs', () => {
  it('groups an entry by kind and operation, counting what the API cut off', () => {
    const e = entry({ routers: nd(['a@file'], [], ['b@file']), services: nd([], ['s@file'], []), middlewares: nd(['m1@file'], [], [], { added: 1003, removed: 0, changed: 0 }) });
    assert.deepEqual(diffGroups(e), [
      { section: 'routers', op: 'added', names: ['a@file'], more: 0 },
      { section: 'routers', op: 'changed', names: ['b@file'], more: 0 },
      { section: 'services', op: 'removed', names: ['s@file'], more: 0 },
      { section: 'middlewares', op: 'added', names: ['m1@file'], more: 1002 },
    ]);
  });

  it('summarises in words', () => {
    const cases = [
      { desc: 'changes', e: entry({ routers: nd(['a', 'b'], [], []), services: nd([], [], ['s']) }), want: '2 routers added, 1 service changed' },
      { desc: 'nothing', e: entry({ routers: nd([], [], []) }), want: 'no change' },
      { desc: 'rejected', e: entry({ kind: 'rejected', errors: ['x', 'y'] }), want: 'rejected: 2 errors' },
      { desc: 'one error', e: entry({ kind: 'rejected', errors: ['x'] }), want: 'rejected: 1 error' },
    ];
    for (const c of cases) assert.equal(entrySummary(c.e), c.want, c.desc);
  });

  it('keeps only well-formed entries', () => {
    assert.deepEqual(readHistory({}), []);
    assert.equal(readHistory([entry({}), { id: 'x' }, null, entry({ id: 2, kind: 'rejected' })]).length, 2);
  });
});

describe('dashboard explainer', () => {
  it('parses header lines and reports bad ones', () => {
    assert.deepEqual(parseHeaderLines('X-A: 1\n\n  Cookie: a=b: c \r\nHost:x.com'), { headers: [['X-A', '1'], ['Cookie', 'a=b: c'], ['Host', 'x.com']], errors: [] });
    const bad = parseHeaderLines('no colon\n: empty\nBad Name: v\nok: 1');
    assert.equal(bad.errors.length, 3);
    assert.match(bad.errors[0] ?? '', /^line 1:/);
    assert.deepEqual(bad.headers, [['ok', '1']]);
  });

  it('builds the API query with repeated headers', () => {
    const path = explainApiPath({ url: ' http://a.com/x?y=1 ', method: 'POST', headers: ['X-A: 1', 'X-B: 2'], clientIP: '10.0.0.2', entryPoint: 'web' });
    assert.equal(path, 'explain?url=http%3A%2F%2Fa.com%2Fx%3Fy%3D1&method=POST&header=X-A%3A+1&header=X-B%3A+2&clientIP=10.0.0.2&entryPoint=web');
    const q = new URLSearchParams(path.slice('explain?'.length));
    assert.deepEqual(q.getAll('header'), ['X-A: 1', 'X-B: 2']);
  });

  it('flattens a rule trace depth first', () => {
    const trace = {
      and: [{ matcher: 'Host(`a.com`)', result: true }, { or: [{ matcher: 'PathPrefix(`/x`)', result: false }, { not: { matcher: 'Method(`GET`)', result: true }, result: false }], result: false }],
      result: false,
    };
    assert.deepEqual(
      flattenTrace(trace).map((r) => [r.depth, r.label, r.result]),
      [
        [0, 'AND', false],
        [1, 'Host(`a.com`)', true],
        [1, 'OR', false],
        [2, 'PathPrefix(`/x`)', false],
        [2, 'NOT', false],
        [3, 'Method(`GET`)', true],
      ],
    );
    assert.deepEqual(flattenTrace({ weird: 1 }), []);
    assert.deepEqual(flattenTrace(null), []);
  });
});

describe('dashboard request path', () => {
  const router: JsonObject = { name: 'r@file', provider: 'file', status: 'enabled', rule: 'Host(`a`)', entryPoints: ['web'], using: ['web'], middlewares: ['auth', 'strip@docker'], service: 'svc' };
  const objects: Record<string, JsonObject> = {
    'auth@file': { name: 'auth@file', status: 'enabled', type: 'basicauth' },
    'svc@file': { name: 'svc@file', status: 'warning', type: 'loadbalancer', provider: 'file', loadBalancer: { servers: [{ url: 'http://a:1' }, { url: 'http://b:2' }] }, serverStatus: { 'http://a:1': 'UP', 'http://b:2': 'DOWN' } },
  };
  const find = (n: string): JsonObject | undefined => objects[n];

  it('qualifies references written without a provider', () => {
    assert.equal(qualify('svc', 'file'), 'svc@file');
    assert.equal(qualify('svc@docker', 'file'), 'svc@docker');
    assert.equal(qualify('api@internal', 'internal'), 'api@internal');
    assert.equal(qualify('x', ''), 'x');
  });

  it('draws entry points -> router -> middlewares -> service -> servers', () => {
    assert.deepEqual(requestPath(router, find, find), [
      { kind: 'entryPoints', names: ['web'] },
      { kind: 'router', name: 'r@file', status: 'enabled', rule: 'Host(`a`)' },
      { kind: 'middleware', name: 'auth@file', status: 'enabled', type: 'basicauth' },
      { kind: 'middleware', name: 'strip@docker', status: 'unknown', type: '' },
      { kind: 'service', name: 'svc@file', status: 'warning', type: 'loadbalancer' },
      {
        kind: 'servers',
        servers: [
          { url: 'http://a:1', status: 'UP' },
          { url: 'http://b:2', status: 'DOWN' },
        ],
      },
    ]);
  });

  it('lists the children of parent services, qualified', () => {
    assert.deepEqual(childServices({ provider: 'file', weighted: { services: [{ name: 'a', weight: 3 }, { name: 'b@docker', weight: 1 }] } }), [
      { name: 'a@file', role: 'weight 3' },
      { name: 'b@docker', role: 'weight 1' },
    ]);
    assert.deepEqual(childServices({ provider: 'file', failover: { service: 'm', fallback: 'f' } }), [
      { name: 'm@file', role: 'main' },
      { name: 'f@file', role: 'fallback' },
    ]);
    assert.deepEqual(childServices({ provider: 'file', mirroring: { service: 'm', mirrors: [{ name: 'x', percent: 10 }] } }), [
      { name: 'm@file', role: 'main' },
      { name: 'x@file', role: 'mirror 10%' },
    ]);
    assert.deepEqual(serversOf({ serverStatus: { 'http://z': 'UP' } }), [{ url: 'http://z', status: 'UP' }]);
    assert.deepEqual(serversOf(undefined), []);
  });
});

describe('dashboard overview', () => {
  const ov = { http: { routers: { total: 5, warnings: 1, errors: 2 }, services: { total: 3, warnings: 0, errors: 0 } }, tcp: {}, features: { tracing: '', metrics: 'Prometheus', accessLog: true } };

  it('counts success as total minus warnings and errors', () => {
    assert.deepEqual(countsOf(ov, 'http', 'routers'), { total: 5, success: 2, warnings: 1, errors: 2 });
    assert.deepEqual(countsOf(ov, 'http', 'middlewares'), { total: 0, success: 0, warnings: 0, errors: 0 });
    assert.deepEqual(countsOf(null, 'udp', 'routers'), { total: 0, success: 0, warnings: 0, errors: 0 });
    assert.equal(overviewCells(ov).length, 8, 'http 3 + tcp 3 + udp 2');
  });

  it('reads the features', () => {
    assert.deepEqual(featuresOf(ov), [
      { name: 'tracing', value: 'off', on: false },
      { name: 'metrics', value: 'Prometheus', on: true },
      { name: 'accessLog', value: 'on', on: true },
    ]);
  });
});

describe('dashboard contrast', () => {
  it('computes WCAG ratios', () => {
    const black = parseColor('#000');
    const white = parseColor('rgb(255, 255, 255)');
    assert.ok(black && white);
    assert.equal(Math.round(contrastRatio(black, white) * 10) / 10, 21);
    assert.equal(contrastRatio(white, white), 1);
    const grey = parseColor('#767676');
    assert.ok(grey);
    assert.ok(contrastRatio(grey, white) >= 4.5 && contrastRatio(grey, white) < 4.6, 'the classic AA grey');
    assert.deepEqual(parseColor('rgba(0, 0, 0, 0.5)'), { r: 0, g: 0, b: 0, a: 0.5 });
    assert.deepEqual(parseColor('rgb(1 2 3 / 50%)'), { r: 1, g: 2, b: 3, a: 0.5 });
    assert.equal(parseColor('color(srgb 1 0 0)'), undefined);
    assert.deepEqual(over({ r: 0, g: 0, b: 0, a: 0.5 }, { r: 255, g: 255, b: 255, a: 1 }), { r: 127.5, g: 127.5, b: 127.5, a: 1 });
  });
});
