/**
 * The file provider compares a new read's bytes with the kept text without decoding the whole file
 * (file-text.ts): a property test over random texts (ASCII, two-, three- and four-byte characters,
 * several pieces) and random edits, against the strings themselves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PACK_MIN_LENGTH, TextRope, diffBytes, middleOf } from '../../../../src/providers/file/file-text.js';

const ALPHABET = ['a', 'b', '\n', ' ', ':', 'é', 'ß', '€', '☕', '𝄞', '😀'];

/** Random text of whole code points: runs of one character, so that long texts cross chunks. */
const text = (max: number): fc.Arbitrary<string> =>
  fc.array(fc.tuple(fc.constantFrom(...ALPHABET), fc.integer({ min: 1, max: 3000 })), { maxLength: max }).map((runs) => runs.map(([c, n]) => c.repeat(n)).join(''));

/** Code-point boundaries of `s` (never inside a surrogate pair). */
function boundary(s: string, r: number): number {
  let at = s.length === 0 ? 0 : r % (s.length + 1);
  const c = s.charCodeAt(at - 1);
  if (at > 0 && at < s.length && c >= 0xd800 && c <= 0xdbff) at--;
  return at;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const c = a.charCodeAt(i - 1);
  if (i > 0 && c >= 0xd800 && c <= 0xdbff) i--;
  return i;
}

function commonSuffix(a: string, b: string, limit: number): number {
  let i = 0;
  while (i < limit && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  const c = a.charCodeAt(a.length - i);
  if (i > 0 && c >= 0xdc00 && c <= 0xdfff) i--;
  return i;
}

/**
 * `base` edited by `edits` (positions taken to code-point boundaries), as a string and as a rope
 * spliced the same way; `check` sees each step.
 */
function edited(base: string, edits: readonly (readonly [number, number, string])[], check?: (s: string, rope: TextRope) => void): { text: string; rope: TextRope } {
  let text = base;
  let rope = TextRope.of(base);
  for (const [x, y, insert] of edits) {
    const from = boundary(text, Math.min(x, y));
    const to = Math.max(from, boundary(text, Math.max(x, y)));
    text = text.slice(0, from) + insert + text.slice(to);
    rope = rope.spliced(from, to, insert);
    check?.(text, rope);
  }
  return { text, rope };
}

void describe('TextRope', () => {
  void it('slices and splices like a string', () => {
    fc.assert(
      fc.property(text(6), fc.array(fc.tuple(fc.nat(), fc.nat(), text(2)), { maxLength: 8 }), fc.nat(), fc.nat(), (base, edits, a, b) => {
        const { text: s, rope } = edited(base, edits, (t, r) => assert.equal(r.length, t.length));
        assert.equal(rope.toString(), s);
        const from = Math.min(a, b) % (s.length + 1);
        const to = Math.max(a, b) % (s.length + 1);
        assert.equal(rope.slice(Math.min(from, to), Math.max(from, to)), s.slice(Math.min(from, to), Math.max(from, to)));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  void it('packed, gives the same text, slices, splices and diffs, and packs again', async () => {
    // Long enough to be packed, with characters of every UTF-8 length, in several pieces.
    const unit = 'router: a\u00e9 \u20ac \u2615 \ud834\udd1e\n';
    const base = unit.repeat(Math.ceil(PACK_MIN_LENGTH / unit.length) + 10);
    const { text: s, rope } = edited(base, [
      [100, 200, 'x\u00dfy'],
      [5000, 5000, '\ud83d\ude00'],
    ]);
    const edit = s.slice(0, 3000) + 'changed' + s.slice(3010);
    const diff = diffBytes(rope, Buffer.from(edit, 'utf8'));
    await rope.pack();
    assert.equal(rope.packed, true);
    assert.equal(rope.length, s.length);
    // Compared while packed, a chunk at a time: nothing inflated whole.
    const bytes = Buffer.from(s, 'utf8');
    assert.equal(await rope.sameBytes(bytes), true);
    assert.equal(await rope.sameBytes(Buffer.from(edit, 'utf8')), false);
    assert.equal(await rope.sameBytes(bytes.subarray(0, bytes.length - 1)), false);
    assert.equal(await rope.sameBytes(Buffer.concat([bytes, Buffer.from('\n')])), false);
    const late = Buffer.from(bytes);
    late[late.length - 3] = 0x41;
    assert.equal(await rope.sameBytes(late), false);
    assert.equal(rope.packed, true);
    assert.deepEqual(diffBytes(rope, Buffer.from(edit, 'utf8')), diff);
    assert.equal(rope.packed, false, 'read while packed: inflated at once');
    await rope.pack();
    assert.equal(rope.packed, true, 'packed again without another deflate');
    await rope.unpack();
    assert.equal(rope.packed, false);
    assert.equal(await rope.sameBytes(bytes), undefined, 'not packed: diffBytes compares');
    assert.equal(rope.toString(), s);
    assert.equal(rope.slice(4990, 5010), s.slice(4990, 5010));
    await rope.pack();
    assert.equal(rope.spliced(10, 20, 'new').toString(), s.slice(0, 10) + 'new' + s.slice(20));
    assert.equal(diffBytes(rope, Buffer.from(s, 'utf8')), undefined);
  });

  void it('packed, compares bytes over several inflated chunks (256 KB each)', async () => {
    const s = 'line of a large file: \u00e9\u20ac\n'.repeat(40_000);
    const rope = TextRope.of(s);
    await rope.pack();
    const bytes = Buffer.from(s, 'utf8');
    assert.ok(bytes.length > 3 * 256 * 1024);
    assert.equal(await rope.sameBytes(bytes), true);
    for (const at of [10, 300_000, 700_000, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at] = (changed[at] as number) ^ 1;
      assert.equal(await rope.sameBytes(changed), false, `a byte changed at ${at}`);
    }
    assert.equal(rope.packed, true, 'never inflated whole');
  });

  void it('keeps its pieces when they are read while the deflate runs (no inflate of the whole text at once after)', async () => {
    const s = 'router: x\n'.repeat(20_000);
    const rope = TextRope.of(s);
    const packing = rope.pack();
    assert.equal(rope.slice(0, 6), 'router');
    await packing;
    assert.equal(rope.packed, false, 'read during the deflate: pieces kept');
    await rope.pack();
    assert.equal(rope.packed, true, 'the next pack lets them go');
    assert.equal(rope.toString(), s);
  });

  void it('leaves a short text as it is', async () => {
    const rope = TextRope.of('http: {}\n');
    await rope.pack();
    assert.equal(rope.packed, false);
    assert.equal(rope.toString(), 'http: {}\n');
  });
});

void describe('diffBytes', () => {
  void it('finds the common start and end of a kept text and new bytes, and the middle decodes to the new text', () => {
    fc.assert(
      fc.property(text(8), fc.array(fc.tuple(fc.nat(), fc.nat(), text(2)), { maxLength: 4 }), fc.nat(), fc.nat(), text(3), (base, cuts, x, y, insert) => {
        // The kept text in several pieces, as after earlier edits.
        const { text: kept, rope } = edited(base, cuts);
        const from = boundary(kept, Math.min(x, y));
        const to = Math.max(from, boundary(kept, Math.max(x, y)));
        const next = kept.slice(0, from) + insert + kept.slice(to);
        const bytes = Buffer.from(next, 'utf8');
        const diff = diffBytes(rope, bytes);
        if (next === kept) {
          assert.equal(diff, undefined);
          return;
        }
        assert.ok(diff !== undefined);
        const prefix = commonPrefix(kept, next);
        assert.equal(diff.prefix, prefix, 'the whole common start');
        assert.equal(diff.prefixBytes, Buffer.byteLength(kept.slice(0, prefix)));
        const suffix = commonSuffix(kept, next, Math.min(kept.length, next.length) - prefix);
        assert.equal(diff.suffix, suffix, 'the whole common end');
        assert.equal(diff.suffixBytes, Buffer.byteLength(kept.slice(kept.length - suffix)));
        assert.equal(kept.slice(0, diff.prefix) + middleOf(bytes, diff) + kept.slice(kept.length - diff.suffix), next);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  void it('takes bytes the decoder replaced as a difference, never as equal', () => {
    const kept = TextRope.of('abc\uFFFDdef');
    const bytes = Buffer.from([0x61, 0x62, 0x63, 0xff, 0x64, 0x65, 0x66]);
    assert.equal(bytes.toString('utf8'), 'abc\uFFFDdef');
    const diff = diffBytes(kept, bytes);
    assert.deepEqual(diff, { prefix: 3, prefixBytes: 3, suffix: 3, suffixBytes: 3 });
    assert.equal(middleOf(bytes, diff), '\uFFFD');
  });

  void it('tells equal bytes, a longer file and a shorter one apart', () => {
    const kept = TextRope.of('x'.repeat(10_000));
    assert.equal(diffBytes(kept, Buffer.from('x'.repeat(10_000))), undefined);
    assert.deepEqual(diffBytes(kept, Buffer.from('x'.repeat(10_001))), { prefix: 10_000, prefixBytes: 10_000, suffix: 0, suffixBytes: 0 });
    assert.deepEqual(diffBytes(kept, Buffer.from('x'.repeat(9_999))), { prefix: 9_999, prefixBytes: 9_999, suffix: 0, suffixBytes: 0 });
    assert.deepEqual(diffBytes(TextRope.of(''), Buffer.from('a')), { prefix: 0, prefixBytes: 0, suffix: 0, suffixBytes: 0 });
  });
});
