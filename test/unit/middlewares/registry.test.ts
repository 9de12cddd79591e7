/**
 * The lazy middleware registry: factories are imported when a configuration uses their kind,
 * before the (synchronous) compile; configurations are applied in the order they came.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig, MiddlewareConfig } from '../../../src/config/dynamic/types.js';
import { applyWhenLoaded, createMiddleware, loadMiddlewareKinds, MIDDLEWARE_KINDS, preloadMiddlewares, type BuildContext } from '../../../src/middlewares/registry.js';

function config(middlewares: Record<string, MiddlewareConfig>): DynamicConfig {
  return { http: { routers: {}, services: {}, middlewares, serversTransports: {} } };
}

const ctx: BuildContext = {
  name: 'm@file',
  middleware: () => {
    throw new Error('no middleware here');
  },
  service: () => {
    throw new Error('no service here');
  },
};

const addPrefix: MiddlewareConfig = { kind: 'addPrefix', options: { prefix: '/api' } };
const stripPrefix: MiddlewareConfig = { kind: 'stripPrefix', options: { prefixes: ['/x'] } };

void describe('middleware registry', () => {
  void it('has nothing to wait for when a configuration has no middlewares', () => {
    const cases = [
      { desc: 'no configuration', cfg: undefined },
      { desc: 'no middlewares', cfg: config({}) },
    ];
    for (const c of cases) assert.equal(preloadMiddlewares(c.cfg), undefined, c.desc);
  });

  void it('loads a kind only when a configuration uses it, and only once', async () => {
    assert.throws(() => createMiddleware(addPrefix, ctx), /middleware type "addPrefix" is not loaded/);
    const loading = preloadMiddlewares(config({ 'a@file': addPrefix }));
    assert.ok(loading instanceof Promise, 'addPrefix has to be loaded');
    await loading;
    assert.equal(preloadMiddlewares(config({ 'a@file': addPrefix, 'b@file': addPrefix })), undefined, 'loaded already');
    assert.equal(typeof createMiddleware(addPrefix, ctx), 'function');
  });

  void it('applies configurations in the order they came, the first waiting for its modules', async () => {
    const applied: string[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const apply = applyWhenLoaded<{ name: string; config: DynamicConfig }>(
      (s) => {
        applied.push(s.name);
        if (applied.length === 3) done();
      },
      (err) => assert.fail(String(err)),
    );
    apply({ name: 'needs stripPrefix', config: config({ 's@file': stripPrefix }) });
    apply({ name: 'needs nothing', config: config({}) });
    apply({ name: 'needs addPrefix (loaded)', config: config({ 'a@file': addPrefix }) });
    assert.deepEqual(applied, [], 'the later ones wait behind the first');
    await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('not applied within 5 s')), 5000).unref())]);
    assert.deepEqual(applied, ['needs stripPrefix', 'needs nothing', 'needs addPrefix (loaded)']);
    // Nothing waiting and everything loaded: applied at once, in the same turn.
    apply({ name: 'at once', config: config({ 's@file': stripPrefix }) });
    assert.equal(applied.at(-1), 'at once');
  });

  void it('loads every kind, each module exporting the factory of its own kind', async () => {
    await loadMiddlewareKinds();
    const every = Object.fromEntries(MIDDLEWARE_KINDS.map((kind) => [`${kind}@file`, { kind, options: {} } as unknown as MiddlewareConfig]));
    assert.equal(preloadMiddlewares(config(every)), undefined);
    for (const kind of MIDDLEWARE_KINDS) {
      // Options are not valid here: what matters is that the factory of this kind was found.
      try {
        createMiddleware({ kind, options: {} } as unknown as MiddlewareConfig, ctx);
      } catch (err) {
        assert.doesNotMatch(String(err), /not loaded|cannot be loaded/, kind);
      }
    }
  });
});
