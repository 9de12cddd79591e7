import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, LOOSE_TYPOS, STRICT_TYPOS, type TypoPolicy } from '../../../../src/config/paths/suggest.js';

void describe('closest', () => {
  const keys = ['routers', 'services', 'middlewares', 'serversTransports', 'entryPoints', 'rule', 'http'];
  const cases: { desc: string; word: string; policy: TypoPolicy; want: string | undefined }[] = [
    { desc: 'one letter off', word: 'routes', policy: STRICT_TYPOS, want: 'routers' },
    { desc: 'letter case is no edit', word: 'ENTRYPOINTS', policy: STRICT_TYPOS, want: 'entryPoints' },
    { desc: 'transposed letters', word: 'htpp', policy: STRICT_TYPOS, want: 'http' },
    { desc: 'strict: at most 2 edits', word: 'midlwaress', policy: STRICT_TYPOS, want: undefined },
    { desc: 'loose: a third of a long word', word: 'midlwaress', policy: LOOSE_TYPOS, want: 'middlewares' },
    { desc: 'strict: fewer than half a short word', word: 'ru', policy: STRICT_TYPOS, want: undefined },
    { desc: 'loose: 2 edits even for a short word', word: 'ru', policy: LOOSE_TYPOS, want: 'rule' },
    { desc: 'nothing close', word: 'zzzzzzzz', policy: LOOSE_TYPOS, want: undefined },
    { desc: 'the closest of several near candidates', word: 'servicesTransports', policy: LOOSE_TYPOS, want: 'serversTransports' },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(closest(c.word, keys, c.policy), c.want));
  }

  void it('is strict by default (flags, static keys, commands)', () => {
    assert.equal(closest('midlwaress', keys), undefined);
    assert.equal(closest('versoin', ['version', 'healthcheck']), 'version');
  });

  void it('suggests nothing without candidates', () => {
    assert.equal(closest('rule', [], LOOSE_TYPOS), undefined);
  });
});
