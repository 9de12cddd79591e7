/** Accept-Encoding negotiation, Traefik v3's rules (q-values, server order on ties, `*`, identity). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEncoding, createEncodingTable } from '../../../../src/middlewares/compress/accept-encoding.js';

const AVAILABLE = ['gzip', 'br'];

void describe('chooseEncoding', () => {
  const cases: { desc: string; lines: string[]; encodings?: string[]; def?: string; want: string | null }[] = [
    { desc: 'header absent, no default: no compression', lines: [], want: null },
    { desc: 'header absent, with a default', lines: [], def: 'br', want: 'br' },
    { desc: 'header present but empty: identity', lines: [''], def: 'br', want: null },
    { desc: 'one coding', lines: ['br'], want: 'br' },
    { desc: 'equal weights go to the configured order (gzip first by default)', lines: ['br, gzip'], want: 'gzip' },
    { desc: 'equal weights, br preferred by config', lines: ['gzip, br'], encodings: ['br', 'gzip'], want: 'br' },
    { desc: 'the highest q wins', lines: ['gzip;q=0.5, br;q=0.9'], want: 'br' },
    { desc: 'no q means 1', lines: ['gzip;q=0.8, br'], want: 'br' },
    { desc: 'q=0 is not acceptable', lines: ['gzip;q=0, br;q=0.1'], want: 'br' },
    { desc: 'everything q=0: no compression', lines: ['gzip;q=0, br;q=0'], want: null },
    { desc: 'an unparsable q is not acceptable', lines: ['gzip;q=abc, br;q=0.2'], want: 'br' },
    { desc: 'spaces around ; and =', lines: ['gzip ; q = 0.2 , br ; q=0.3'], want: 'br' },
    { desc: 'upper-case coding and Q', lines: ['GZIP;Q=0.9, br;q=0.1'], want: 'gzip' },
    { desc: 'other parameters ignored', lines: ['br;level=3;q=0.4, gzip;q=0.3'], want: 'br' },
    { desc: 'unknown codings skipped', lines: ['deflate, compress, x-gzip'], want: null },
    { desc: 'zstd (not available on Node 20) falls to the next', lines: ['zstd, br;q=0.5'], want: 'br' },
    { desc: 'zstd only: no compression', lines: ['zstd'], want: null },
    { desc: '* means the default encoding', lines: ['*'], def: 'br', want: 'br' },
    { desc: '* without default means the first encoding', lines: ['*'], want: 'gzip' },
    { desc: '* wins ties (Traefik ranks it first)', lines: ['br, *'], def: '', encodings: ['br', 'gzip'], want: 'br' },
    { desc: '* at equal weight beats a listed coding', lines: ['br, *'], want: 'gzip' },
    { desc: 'a listed coding with a higher q beats *', lines: ['br, *;q=0.5'], want: 'br' },
    { desc: 'identity preferred: no compression', lines: ['identity, gzip;q=0.5'], want: null },
    { desc: 'identity ties lose to a coding', lines: ['identity, gzip'], want: 'gzip' },
    { desc: 'several header lines', lines: ['gzip;q=0.1', 'br'], want: 'br' },
    { desc: 'empty items skipped', lines: [',, br ,'], want: 'br' },
    { desc: 'encodings restricted by config', lines: ['br'], encodings: ['gzip'], want: null },
    { desc: 'zstd default falls back to the first producible for *', lines: ['*'], encodings: ['zstd', 'br', 'gzip'], def: 'zstd', want: 'br' },
    { desc: 'zstd default and no header: no compression', lines: [], encodings: ['zstd', 'gzip'], def: 'zstd', want: null },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const table = createEncodingTable(c.encodings ?? ['gzip', 'br', 'zstd'], AVAILABLE, c.def ?? '');
      assert.equal(chooseEncoding(c.lines, table), c.want);
    });
  }
});
