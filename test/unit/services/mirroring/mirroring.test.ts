/**
 * The mirroring service's own logic, with in-memory children: which requests are mirrored
 * (Traefik's counting), the body copy and its limit, mirrorBody false, and that a mirror never
 * changes the main answer. test/e2e/svc-mirroring.test.ts runs it against real upstreams.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Exchange, Handler } from '../../../../src/exchange/exchange.js';
import { createMirroring } from '../../../../src/services/mirroring/mirroring.js';
import { plainService } from '../../../../src/services/service.js';
import { within } from '../../../helpers/wait.js';
import { fakeExchange, namedChild } from '../weighted/fake-exchange.js';

interface Seen {
  readonly headers: string[];
  readonly body: string | null;
}

/** A child that reads the whole body, then answers; `seen` gets what it received. */
function reader(name: string, seen: Seen[], onSeen?: () => void): Handler {
  return async (ex: Exchange) => {
    const headers = ex.headers.raw.slice();
    const body = ex.body === null ? null : await text(ex.body);
    seen.push({ headers, body });
    ex.response.sendText(200, name);
    onSeen?.();
  };
}

function withBody(ex: Exchange, chunks: string[], declared: boolean): void {
  ex.body = Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false });
  ex.method = 'POST';
  const size = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  if (declared) ex.headers.add('Content-Length', String(size));
  else ex.headers.add('Transfer-Encoding', 'chunked');
}

void describe('mirroring service', () => {
  const counting: { desc: string; percents: number[]; n: number; expect: number[] }[] = [
    { desc: '10 % of 100', percents: [10], n: 100, expect: [10] },
    { desc: '0 % mirrors nothing', percents: [0], n: 50, expect: [0] },
    { desc: '100 % mirrors all', percents: [100], n: 20, expect: [20] },
    { desc: 'two mirrors counted apart', percents: [50, 20], n: 100, expect: [50, 20] },
    { desc: '1 % of 1,000', percents: [1], n: 1000, expect: [10] },
  ];
  for (const c of counting) {
    void it(`mirrors a share of requests by counting: ${c.desc}`, () => {
      const counts = c.percents.map(() => 0);
      const mirrors = c.percents.map((percent, i) => ({
        name: `m${i}@file`,
        percent,
        service: plainService((ex) => {
          counts[i] = (counts[i] ?? 0) + 1;
          ex.response.sendText(200, 'mirror');
        }),
      }));
      const m = createMirroring({ name: 'main@file', service: namedChild('main').service }, mirrors, { name: 's@file', mirrorBody: true, maxBodySize: -1, healthCheck: false });
      for (let i = 0; i < c.n; i++) {
        const { ex, answer } = fakeExchange();
        void m.handler(ex);
        assert.equal(answer.body, 'main', 'the main service answers');
      }
      assert.deepEqual(counts, c.expect);
    });
  }

  void it('mirrors the first request, then every tenth at 10 % (Traefik\'s rule)', () => {
    const hits: number[] = [];
    let n = 0;
    const m = createMirroring(
      { name: 'main@file', service: namedChild('main').service },
      [{ name: 'm@file', percent: 10, service: plainService(() => void hits.push(n)) }],
      { name: 's@file', mirrorBody: true, maxBodySize: -1, healthCheck: false },
    );
    for (n = 1; n <= 25; n++) void m.handler(fakeExchange().ex);
    assert.deepEqual(hits, [1, 11, 21]);
  });

  const bodies: { desc: string; chunks: string[]; declared: boolean; maxBodySize: number; mirrored: boolean }[] = [
    { desc: 'with Content-Length, no limit', chunks: ['hello ', 'mirror ', 'world'], declared: true, maxBodySize: -1, mirrored: true },
    { desc: 'chunked, no limit', chunks: ['a'.repeat(70_000), 'b'.repeat(70_000)], declared: false, maxBodySize: -1, mirrored: true },
    { desc: 'exactly at the limit', chunks: ['12345', '67890'], declared: false, maxBodySize: 10, mirrored: true },
    { desc: 'declared larger than the limit', chunks: ['12345', '678901'], declared: true, maxBodySize: 10, mirrored: false },
    { desc: 'chunked, larger than the limit', chunks: ['12345', '678901'], declared: false, maxBodySize: 10, mirrored: false },
  ];
  for (const c of bodies) {
    void it(`copies the body to the mirror while the main service streams it: ${c.desc}`, async () => {
      const mainSeen: Seen[] = [];
      const mirrorSeen: Seen[] = [];
      let mirrored: () => void = () => {};
      const mirrorDone = new Promise<void>((resolve) => (mirrored = resolve));
      const m = createMirroring(
        { name: 'main@file', service: plainService(reader('main', mainSeen)) },
        [{ name: 'm@file', percent: 100, service: plainService(reader('mirror', mirrorSeen, () => mirrored())) }],
        { name: 's@file', mirrorBody: true, maxBodySize: c.maxBodySize, healthCheck: false },
      );
      const { ex, answer } = fakeExchange();
      withBody(ex, c.chunks, c.declared);
      await m.handler(ex);
      assert.equal(answer.body, 'main');
      assert.equal(mainSeen[0]?.body, c.chunks.join(''), 'the main service gets the whole body');
      if (c.mirrored) {
        await within('the mirror', mirrorDone, 5000);
        assert.equal(mirrorSeen[0]?.body, c.chunks.join(''));
      } else {
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(mirrorSeen, [], 'not mirrored');
      }
    });
  }

  void it('sends mirrors no body (nor its framing headers) with mirrorBody: false', async () => {
    const mirrorSeen: Seen[] = [];
    const m = createMirroring(
      { name: 'main@file', service: plainService(reader('main', [])) },
      [{ name: 'm@file', percent: 100, service: plainService(reader('mirror', mirrorSeen)) }],
      { name: 's@file', mirrorBody: false, maxBodySize: -1, healthCheck: false },
    );
    const { ex } = fakeExchange(['X-Test', 'yes']);
    withBody(ex, ['secret'], true);
    await m.handler(ex);
    await within('the mirror', (async () => { while (mirrorSeen.length === 0) await new Promise((r) => setImmediate(r)); })(), 5000);
    assert.equal(mirrorSeen[0]?.body, null);
    assert.ok(mirrorSeen[0]?.headers.includes('X-Test'));
    assert.ok(!mirrorSeen[0]?.headers.some((h) => h.toLowerCase() === 'content-length'));
  });

  void it('keeps the request as it arrived for the mirror, whatever the main service changes', () => {
    const seen: { path: string; headers: string[] }[] = [];
    const m = createMirroring(
      {
        name: 'main@file',
        service: plainService((ex) => {
          ex.path = '/changed';
          ex.headers.set('X-Main', '1');
          ex.response.sendText(200, 'main');
        }),
      },
      [{ name: 'm@file', percent: 100, service: plainService((ex) => void seen.push({ path: ex.path, headers: ex.headers.raw.slice() })) }],
      { name: 's@file', mirrorBody: true, maxBodySize: -1, healthCheck: false },
    );
    void m.handler(fakeExchange().ex);
    assert.equal(seen[0]?.path, '/');
    assert.ok(!seen[0]?.headers.includes('X-Main'));
  });

  void it('discards mirror answers and ignores mirrors that throw or reject', async () => {
    const m = createMirroring(
      { name: 'main@file', service: namedChild('main').service },
      [
        { name: 'a@file', percent: 100, service: plainService((ex) => ex.response.sendText(500, 'mirror says no')) },
        { name: 'b@file', percent: 100, service: plainService(() => { throw new Error('boom'); }) },
        { name: 'c@file', percent: 100, service: plainService(() => Promise.reject(new Error('late boom'))) },
      ],
      { name: 's@file', mirrorBody: true, maxBodySize: -1, healthCheck: false },
    );
    const { ex, answer } = fakeExchange();
    await m.handler(ex);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([answer.status, answer.body], [200, 'main']);
  });

  void it('with healthCheck: {} reports the main service\'s health, and needs one', () => {
    const main = namedChild('main', { health: true });
    const m = createMirroring({ name: 'main@file', service: main.service }, [], { name: 's@file', mirrorBody: true, maxBodySize: -1, healthCheck: true });
    assert.equal(m.health?.up, true);
    main.health?.set(false);
    assert.equal(m.health?.up, false);
    assert.throws(
      () => createMirroring({ name: 'main@file', service: namedChild('main').service }, [], { name: 's@file', mirrorBody: true, maxBodySize: -1, healthCheck: true }),
      /healthCheck is set on "s@file" but its main service "main@file" reports no health/,
    );
  });
});
