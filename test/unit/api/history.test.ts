/** ConfigHistory: applied entries with diffs and providers, rejected updates, the 50-entry bound. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigHistory, HISTORY_SIZE } from '../../../src/api/history.js';
import type { ApplySummary } from '../../../src/runtime/runtime.js';
import type { RuntimeView } from '../../../src/runtime/view.js';
import { buildGraph, staticFromFlags } from './fixtures.js';

const STATIC = staticFromFlags(['--entryPoints.web.address=127.0.0.1:8000']);

function summary(o: Partial<ApplySummary>): ApplySummary {
  return { skipped: false, version: 1, snapshot: 1, routers: 0, enabled: 0, added: [], removed: [], changed: [], errors: 0, ms: 1, diagnostics: [], ...o };
}

async function viewOf(providers: Record<string, unknown>): Promise<RuntimeView> {
  const b = await buildGraph(STATIC, providers);
  await b.close();
  return b.graph.view;
}

const svc = (url: string): unknown => ({ loadBalancer: { servers: [{ url }] } });

void describe('ConfigHistory', () => {
  void it('records applied configurations with service/middleware diffs and the providers that changed', async () => {
    const h = new ConfigHistory(() => new Date('2026-01-01T00:00:00Z'));
    const v1 = await viewOf({ file: { http: { services: { a: svc('http://127.0.0.1:1'), b: svc('http://127.0.0.1:2') }, middlewares: { m: { addPrefix: { prefix: '/x' } } } } } });
    h.record(summary({ added: ['r@file'] }), v1);
    const v2 = await viewOf({ file: { http: { services: { a: svc('http://127.0.0.1:9'), c: svc('http://127.0.0.1:3') } } }, docker: { http: { services: { d: svc('http://127.0.0.1:4') } } } });
    h.record(summary({ version: 2, snapshot: 2, removed: ['r@file'] }), v2);
    const [second, first] = h.entries();
    assert.equal(first?.kind, 'applied');
    assert.deepEqual(first?.services?.added, ['a@file', 'b@file']);
    assert.deepEqual(first?.middlewares?.added, ['m@file']);
    assert.deepEqual(second?.services, { added: ['c@file', 'd@docker'], removed: ['b@file'], changed: ['a@file'], counts: { added: 2, removed: 1, changed: 1 } });
    assert.deepEqual(second?.middlewares?.removed, ['m@file']);
    assert.deepEqual(second?.routers?.removed, ['r@file']);
    assert.deepEqual(second?.providers, ['docker', 'file']);
    assert.equal(second?.time, '2026-01-01T00:00:00.000Z');
  });

  void it('a skipped apply with errors is a rejected update; without errors it is not recorded', () => {
    const h = new ConfigHistory();
    h.record(summary({ skipped: true }), undefined);
    assert.equal(h.entries().length, 0);
    h.record(summary({ skipped: true, diagnostics: [{ code: 'TPK_X', severity: 'error', message: 'invalid YAML', source: '/etc/t/dyn.yml', line: 3 }] }), undefined);
    assert.deepEqual(
      h.entries().map((e) => [e.kind, e.providers, e.errors]),
      [['rejected', ['file'], ['/etc/t/dyn.yml:3: invalid YAML']]],
    );
  });

  void it(`keeps the last ${HISTORY_SIZE} applied and ${HISTORY_SIZE} rejected entries`, () => {
    const h = new ConfigHistory();
    for (let i = 1; i <= 70; i++) {
      h.record(summary({ version: i, snapshot: i }), { routers: {}, services: {}, middlewares: {} });
      h.record(summary({ skipped: true, version: i, diagnostics: [{ code: 'E', severity: 'error', message: `bad ${i}`, object: 'x@file' }] }), undefined);
    }
    const entries = h.entries();
    assert.equal(entries.filter((e) => e.kind === 'applied').length, HISTORY_SIZE);
    assert.equal(entries.filter((e) => e.kind === 'rejected').length, HISTORY_SIZE);
    assert.equal(entries[0]?.errors[0], 'x@file: bad 70');
    assert.equal(entries.at(-1)?.version, 21);
  });

  void it('an update with a flood of errors keeps 100 lines and says how many more', () => {
    const h = new ConfigHistory();
    const diagnostics = Array.from({ length: 5000 }, (_, i) => ({ code: 'E', severity: 'error' as const, message: `bad ${i}`, object: `r${i}@file` }));
    h.record(summary({ skipped: true, diagnostics }), undefined);
    const errors = h.entries()[0]?.errors ?? [];
    assert.equal(errors.length, 101);
    assert.equal(errors[99], 'r99@file: bad 99');
    assert.equal(errors[100], '... and 4900 more errors');
  });
});
