/**
 * The failover service's own logic with in-memory children: main while up, fallback while the main
 * service is down, back on recovery; its own health with `healthCheck: {}`.
 * test/e2e/svc-failover.test.ts runs it with real health checks against real upstreams.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyError } from '../../../../src/errors/codes.js';
import { createFailover } from '../../../../src/services/failover/failover.js';
import { fakeExchange, namedChild, tally } from '../weighted/fake-exchange.js';

void describe('failover service', () => {
  void it('uses the main service while it is up, the fallback while it is down, and the main again once it recovers', () => {
    const main = namedChild('main', { health: true });
    const f = createFailover({ name: 'main@file', service: main.service }, { name: 'fb@file', service: namedChild('fb').service }, { name: 's@file', healthCheck: false });
    assert.deepEqual([...tally(f.handler, 3)], [['main', 3]]);
    main.health?.set(false);
    assert.deepEqual([...tally(f.handler, 3)], [['fb', 3]]);
    main.health?.set(true);
    assert.deepEqual([...tally(f.handler, 3)], [['main', 3]]);
    assert.equal(f.health, undefined, 'no healthCheck: no health of its own');
  });

  void it('treats a main service without health as always up', () => {
    const f = createFailover({ name: 'main@file', service: namedChild('main').service }, { name: 'fb@file', service: namedChild('fb').service }, { name: 's@file', healthCheck: false });
    assert.deepEqual([...tally(f.handler, 3)], [['main', 3]]);
  });

  void it('with healthCheck: {} reports up while either child is up, and answers 503 when both are down', () => {
    const main = namedChild('main', { health: true });
    const fb = namedChild('fb', { health: true });
    const f = createFailover({ name: 'main@file', service: main.service }, { name: 'fb@file', service: fb.service }, { name: 's@file', healthCheck: true });
    const flips: boolean[] = [];
    f.health?.watch((up) => flips.push(up));
    main.health?.set(false);
    assert.equal(f.health?.up, true);
    fb.health?.set(false);
    assert.equal(f.health?.up, false);
    const { ex } = fakeExchange();
    assert.throws(() => f.handler(ex), (err: unknown) => err instanceof ProxyError && err.status === 503 && err.body === 'Service Unavailable\n');
    fb.health?.set(true);
    assert.deepEqual([...tally(f.handler, 2)], [['fb', 2]]);
    assert.deepEqual(flips, [false, true]);
    f.dispose();
    fb.health?.set(false);
    assert.equal(f.health?.up, true, 'disposed: no longer follows its children');
  });

  void it('with healthCheck: {} needs health on both children', () => {
    const table = [
      { desc: 'main without health', main: namedChild('main'), fb: namedChild('fb', { health: true }), role: 'main service "main@file"' },
      { desc: 'fallback without health', main: namedChild('main', { health: true }), fb: namedChild('fb'), role: 'fallback service "fb@file"' },
    ];
    for (const t of table) {
      assert.throws(
        () => createFailover({ name: 'main@file', service: t.main.service }, { name: 'fb@file', service: t.fb.service }, { name: 's@file', healthCheck: true }),
        (err: unknown) => err instanceof Error && err.message.includes(`its ${t.role} reports no health`),
        t.desc,
      );
    }
  });
});
