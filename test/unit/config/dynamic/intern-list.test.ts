import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactList, internList } from '../../../../src/config/dynamic/schema/fields.js';
import { validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { qualifyRouter } from '../../../../src/providers/qualify.js';

describe('internList / exactList (memory per router)', () => {
  const cases: { desc: string; a: readonly string[]; b: readonly string[]; same: boolean }[] = [
    { desc: 'equal one-name lists share one array', a: ['web'], b: ['web'], same: true },
    { desc: 'equal two-name lists share one array', a: ['web', 'websecure'], b: ['web', 'websecure'], same: true },
    { desc: 'order matters', a: ['web', 'websecure'], b: ['websecure', 'web'], same: false },
    { desc: 'a name that looks like a list is not the list', a: ['["a","b"]'], b: ['a', 'b'], same: false },
    { desc: 'a name with a newline is not two names', a: ['a\nb'], b: ['a', 'b'], same: false },
    { desc: 'empty lists share one array', a: [], b: [], same: true },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const x = internList([...c.a]);
      const y = internList([...c.b]);
      assert.deepEqual(x, c.a);
      assert.deepEqual(y, c.b);
      assert.equal(x === y, c.same);
      assert.ok(Object.isFrozen(x) && Object.isFrozen(y));
    });
  }

  it('long lists are frozen as given, not shared', () => {
    const long = ['a', 'b', 'c', 'd', 'e'];
    const x = internList(long);
    assert.equal(x, long);
    assert.ok(Object.isFrozen(x));
  });

  it('exactList copies without changing the content and leaves the copy mutable', () => {
    const grown: number[] = [];
    grown.push(1);
    const copy = exactList(grown);
    assert.deepEqual(copy, [1]);
    assert.notEqual(copy, grown);
    copy.push(2);
    assert.deepEqual(grown, [1]);
  });

  it('validated routers on the same entry points share their lists; qualification keeps them', () => {
    const v = validateDynamic(
      {
        http: {
          routers: {
            a: { rule: 'Host(`a`)', service: 's', entryPoints: ['web'] },
            b: { rule: 'Host(`b`)', service: 's', entryPoints: ['web'], middlewares: ['m'] },
            c: { rule: 'Host(`c`)', service: 's', entryPoints: 'web', middlewares: ['m'] },
          },
          services: { s: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:1' }] } } },
          middlewares: { m: { stripPrefix: { prefixes: ['/x'] } } },
        },
      },
      { source: 'test.yml' },
    );
    const { a, b, c } = v.config.http.routers;
    assert.ok(a !== undefined && b !== undefined && c !== undefined);
    assert.deepEqual(a.entryPoints, ['web']);
    assert.equal(a.entryPoints, b.entryPoints);
    assert.equal(b.entryPoints, c.entryPoints);
    assert.equal(b.middlewares, c.middlewares);
    const qa = qualifyRouter(a, 'file');
    const qb = qualifyRouter(b, 'file');
    const qc = qualifyRouter(c, 'file');
    assert.deepEqual(qa, { rule: 'Host(`a`)', entryPoints: ['web'], middlewares: [], service: 's@file', priority: 0, tls: undefined });
    assert.equal(qa.middlewares, a.middlewares);
    assert.deepEqual(qb.middlewares, ['m@file']);
    assert.equal(qb.middlewares, qc.middlewares);
    assert.equal(qb.entryPoints, b.entryPoints);
    // Already qualified references are kept as written, list and all.
    const ext = qualifyRouter({ ...b, middlewares: internList(['m@docker']) }, 'file');
    assert.deepEqual(ext.middlewares, ['m@docker']);
  });
});
