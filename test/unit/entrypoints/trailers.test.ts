import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { allowedTrailerName, validTrailer } from '../../../src/entrypoints/trailers.js';

describe('trailer fields', () => {
  const cases = [
    { desc: 'grpc-status', name: 'grpc-status', value: '0', want: true },
    { desc: 'mixed case custom field', name: 'X-Checksum', value: 'abc', want: true },
    { desc: 'Content-Length (framing)', name: 'Content-Length', value: '1', want: false },
    { desc: 'transfer-encoding (framing)', name: 'transfer-encoding', value: 'chunked', want: false },
    { desc: 'Host (routing)', name: 'Host', value: 'x', want: false },
    { desc: 'Trailer itself', name: 'Trailer', value: 'x', want: false },
    { desc: 'Authorization', name: 'authorization', value: 'x', want: false },
    { desc: 'a name with a space', name: 'x y', value: '1', want: false },
    { desc: 'an empty name', name: '', value: '1', want: false },
    { desc: 'CR in the value', name: 'x', value: 'a\rb', want: false },
    { desc: 'HTAB in the value', name: 'x', value: 'a\tb', want: true },
  ];
  for (const c of cases) {
    it(c.desc, () => assert.equal(validTrailer(c.name, c.value), c.want));
  }
  it('allowedTrailerName checks the name only', () => {
    assert.equal(allowedTrailerName('grpc-message'), true);
    assert.equal(allowedTrailerName('TE'), false);
  });
});
