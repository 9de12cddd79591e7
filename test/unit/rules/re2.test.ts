/** RE2 -> JS translation: behaviour on subjects (what RE2 would answer), rejections, required suffix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Re2Error, translateRe2 } from '../../../src/rules/index.js';
import { LazyRegExp } from '../../../src/rules/http-matchers.js';

function test(pattern: string, subject: string): boolean {
  const t = translateRe2(pattern);
  return new RegExp(t.source, t.flags).test(subject);
}

void describe('RE2 translation: matching', () => {
  const cases: [desc: string, pattern: string, subject: string, want: boolean][] = [
    ['unanchored', 'b', 'abc', true],
    ['dot not newline', 'a.c', 'a\nc', false],
    ['dot matches \\r and U+2028', '^a.c.e$', 'a\rc\u2028e', true],
    ['(?s) dot matches newline', '(?s)a.c', 'a\nc', true],
    ['(?s:...) scoped', '(?s:a.)b.', 'a\nb\n', false],
    ['\\s is ASCII only', '\\s', '\u00a0', false],
    ['\\s excludes \\v', '\\s', '\v', false],
    ['\\S includes \\v', '^\\S$', '\v', true],
    ['\\s includes \\f', '\\s', '\f', true],
    ['\\w ASCII', '^\\w+$', 'abc_09', true],
    ['\\W', '\\W', 'é', true],
    ['\\b ASCII', '\\bfoo\\b', 'a foo b', true],
    ['^ is start of text', '^b', 'a\nb', false],
    ['$ is end of text (not before final newline)', 'a$', 'a\n', false],
    ['(?m) ^ after newline', '(?m)^b', 'a\nb', true],
    ['(?m) $ before newline', '(?m)a$', 'a\nb', true],
    ['(?m) ^ not after \\r', '(?m)^b', 'a\rb', false],
    ['\\A', '(?m)\\Ab', 'a\nb', false],
    ['\\z', '(?m)a\\z', 'a\n', false],
    ['(?i) global', '(?i)HELLO', 'hello', true],
    ['(?i) global with class', '(?i)^[a-c]+$', 'ABC', true],
    ['(?i:...) scoped literal', '^(?i:ab)c$', 'ABc', true],
    ['(?i:...) scoped not outside', '^(?i:ab)c$', 'ABC', false],
    ['(?i:...) scoped class', '^(?i:[a-c])$', 'B', true],
    ['(?i:...) scoped negated class', '^(?i:[^a-c])$', 'B', false],
    ['(?i:...) scoped \\x escape', '^(?i:\\x41)$', 'a', true],
    ['(?i) kelvin sign folds to k', '^(?i:k)$', '\u212a', true],
    ['mid-pattern (?i) to end of group', '^a(?i)b(c)$', 'aBC', true],
    ['mid-pattern (?i) ends with its group', '^(a(?i)b)c$', 'aBC', false],
    ['(?i) flags persist across |', '^(?:x(?i)y|z)$', 'Z', true],
    ['(?-i) inside (?i)', '(?i)^a(?-i:b)$', 'Ab', true],
    ['(?-i) inside (?i) is case-sensitive', '(?i)^a(?-i:b)$', 'AB', false],
    ['(?U) ungreedy then anchor', '(?U)^(a+)a$', 'aaa', true],
    ['(?U) lazy becomes greedy', '(?U)^a*?$', 'aaa', true],
    ['POSIX class', '^[[:digit:]]+$', '123', true],
    ['negated POSIX class', '^[[:^digit:]x]+$', 'abx', true],
    ['negated POSIX class excludes', '^[[:^digit:]]$', '5', false],
    ['POSIX punct', '^[[:punct:]]+$', '!-/@[`{~', true],
    [']-first in class is literal', '^[]a]+$', ']a]', true],
    ['negated ]-first', '^[^]a]$', 'b', true],
    ['- at end of class literal', '^[a-]+$', 'a-a', true],
    ['- after range literal', '^[a-c-e]+$', 'b-e', true],
    ['- after range not a range', '^[a-c-e]$', 'd', false],
    ['escaped punctuation in class', '^[\\]\\-\\\\]+$', ']-\\', true],
    ['class with \\d', '^[\\d.]+$', '1.2', true],
    ['class with \\pL', '^[\\pL]+$', 'héllo', true],
    ['\\pN single letter', '^\\pN+$', '١٢٣', true],
    ['\\p{^Greek}', '^\\p{^Greek}$', 'a', true],
    ['\\PL', '^\\PL$', '1', true],
    ['\\p{Any}', '^\\p{Any}$', '\n', true],
    ['\\Q...\\E', '^\\Q*+?\\E$', '*+?', true],
    ['\\Q without \\E', '^a\\Q.*', 'a.*', true],
    ['octal \\0', '^\\0$', '\0', true],
    ['octal \\12', '^\\12$', '\n', true],
    ['hex \\x41', '^\\x41$', 'A', true],
    ['hex \\x{1F600}', '^\\x{1F600}$', '😀', true],
    ['dot is a code point', '^.$', '😀', true],
    ['\\a \\f \\t \\v', '^\\a\\f\\t\\v$', '\x07\f\t\v', true],
    ['escaped punctuation', '^\\#\\!\\<\\_$', '#!<_', true],
    ['literal brace', '^a{$', 'a{', true],
    ['literal brace comma', '^a{,2}$', 'a{,2}', true],
    ['repeat braces', '^a{2,3}$', 'aaaa', false],
    ['repeat braces open', '^a{2,}$', 'aaaa', true],
    ['lazy repeat braces', '^a{2,3}?$', 'aaa', true],
    ['literal close brace and bracket', '^}]$', '}]', true],
    ['named group (?P<n>)', '^(?P<first>a)(?<second>b)$', 'ab', true],
    ['named group starting with digit', '^(?P<1x>a)$', 'a', true],
    ['non-capturing', '^(?:ab)+$', 'abab', true],
    ['empty flag group', '^(?)a$', 'a', true],
    ['quantified anchor', '^a(?:$)*', 'ab', true],
    ['alternation', '^(cat|dog)$', 'dog', true],
    ['top-level alternation', 'x^|b$', 'ab', true],
    ['slash needs no escape', '^/a/b$', '/a/b', true],
  ];
  for (const [desc, pattern, subject, want] of cases) {
    void it(`${desc}: ${pattern}`, () => assert.equal(test(pattern, subject), want));
  }
});

void describe('RE2 translation: rejected patterns', () => {
  const cases: [pattern: string, offset: number][] = [
    ['(a)\\1', 3],
    ['\\8', 0],
    ['(?=a)', 0],
    ['(?!a)', 0],
    ['(?<=a)', 0],
    ['(?<!a)', 0],
    ['(?P=n)', 0],
    ['(?P<>a)', 0],
    ['(?P<a-b>a)', 0],
    ['(?#comment)', 0],
    ['a**', 2],
    ['a*?+', 3],
    ['a{2}{3}', 4],
    ['?', 0],
    ['(*)', 1],
    ['a|*', 2],
    ['a{1001}', 1],
    ['a{5,4}', 1],
    ['(a', 0],
    ['a)', 1],
    ['[a', 0],
    ['[]', 0],
    ['[z-a]', 1],
    ['[a-\\d]', 3],
    ['[[:nope:]]', 1],
    ['\\', 0],
    ['\\e', 0],
    ['\\Z', 0],
    ['\\C', 0],
    ['[\\b]', 1],
    ['\\x{110000}', 0],
    ['\\xZ', 0],
    ['(?i-)', 0],
    ['(?--i)', 0],
    ['(?i:\\p{Lu})x(?-i)', -1],
    ['('.repeat(1001) + ')'.repeat(1001), 1000],
  ];
  for (const [pattern, offset] of cases) {
    void it(pattern, () => {
      let thrown: unknown;
      try {
        const t = translateRe2(pattern);
        new RegExp(t.source, t.flags);
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof Error, `accepted: ${pattern}`);
      if (offset >= 0) {
        assert.ok(thrown instanceof Re2Error, String(thrown));
        assert.equal(thrown.offset, offset);
      }
    });
  }
});

void describe('RE2 translation: required suffix (route index hint)', () => {
  const cases: [pattern: string, suffix: string | null][] = [
    ['^.+\\.example\\.com$', '.example.com'],
    ['^[a-z]+\\.example\\.com$', '.example.com'],
    ['\\.example\\.com$', '.example.com'],
    ['(?i)\\.EXAMPLE\\.com$', '.example.com'],
    ['\\.example\\.com\\z', '.example.com'],
    ['\\.Example\\.com$', '.Example.com'],
    ['^(a|b)\\.example\\.com$', '.example.com'],
    ['^\\Qa.b\\E$', 'a.b'],
    ['^(?:www\\.)?example\\.com$', 'example.com'],
    ['\\.example\\.com', null],
    ['(?m)\\.example\\.com$', null],
    ['a\\.com$|b\\.org$', null],
    ['\\.com+$', null],
    ['\\.co(m)$', null],
    ['\\.com[.]$', null],
    ['\\.com$x', null],
    ['$', null],
  ];
  for (const [pattern, suffix] of cases) {
    void it(pattern, () => assert.equal(translateRe2(pattern).requiredSuffix, suffix));
  }
});

void describe('RE2 translation: V8 accepts every translation', () => {
  // Rule matchers make their JS regexp on first use (LazyRegExp): a pattern translateRe2 accepts
  // must never be refused by `new RegExp` later, at request time. Random patterns over RE2's
  // syntax, fixed seed; about a quarter are accepted.
  void it('200,000 random patterns: rejected by the translator, or compiled by V8', () => {
    const atoms = ['a', 'b', '.', '*', '+', '?', '(', ')', '[', ']', '^', '$', '|', '\\', '{', '}', '1', '2', ',', '-', 'd', 'w', 's', 'p', 'L', '?:', '(?i)', '(?P<n>', '\\b', '\\Q', '\\E', ':', '[:alpha:]', '\\x41', '\\pN', '(?s)', '(?-i)', '(?U)', '{2,3}', '\\z', '\\A', '[^', '\\d', '\\p{Greek}', 'é', '\\x{10FFFF}', '(?m)', '*?', '+?', '\\.', '0', '7', '\\1', '\\8', '\\0', '\\cA', '\\u0041', '(?=', '(?!', '(?<', '\\k<n>', '\\/', '/', '\\-', '[\\d-z]', '\\^', '{,3}', '{1001}', '\\p{NoSuchScript}', '\\pX', '\\p{Lu}', '\\P{Latin}', '\\p{^Han}', '\\p{Zzzz}', '\\p{Any}'];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) {
      let p = '';
      for (let j = 1 + rnd(10); j > 0; j--) p += atoms[rnd(atoms.length)];
      let t;
      try {
        t = translateRe2(p);
      } catch (e) {
        assert.ok(e instanceof Re2Error, `${p}: ${String(e)}`);
        continue;
      }
      assert.doesNotThrow(() => new RegExp(t.source, t.flags), p);
      accepted++;
    }
    assert.ok(accepted > 40_000, `only ${accepted} accepted`);
  });
});

void describe('LazyRegExp', () => {
  void it('makes its regexp on the first test, and a source V8 refuses never matches, with a warning', async () => {
    const ok = new LazyRegExp('^a+$', 'u');
    assert.equal(ok.test('aaa'), true);
    assert.equal(ok.test('ab'), false);
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const bad = new LazyRegExp('(', 'u');
    assert.equal(bad.test('('), false);
    const w = await warned;
    assert.match(w.message, /never matches/);
    assert.equal((w as Error & { code?: string }).code, 'TPK_RULE_BAD_REGEXP');
  });
});
