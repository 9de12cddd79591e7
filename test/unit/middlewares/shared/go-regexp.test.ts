import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGoRegexp, goFind, goMatch, goReplaceAll, parseGoTemplate } from '../../../../src/middlewares/shared/go-regexp.js';

function replaceAll(pattern: string, src: string, template: string): string {
  const g = compileGoRegexp(pattern);
  return goReplaceAll(g, src, parseGoTemplate(template, g.captureNames));
}

void describe('Go regexp replacement (Regexp.Expand + ReplaceAllString)', () => {
  const cases: { desc: string; pattern: string; src: string; template: string; want: string }[] = [
    { desc: 'plain text replacement of every match', pattern: 'a(x*)b', src: '-ab-axxb-', template: 'T', want: '-T-T-' },
    { desc: '$1', pattern: 'a(x*)b', src: '-ab-axxb-', template: '$1', want: '--xx-' },
    { desc: '$1W is the group named "1W" (absent: empty)', pattern: 'a(x*)b', src: '-ab-axxb-', template: '$1W', want: '---' },
    { desc: '${1}W', pattern: 'a(x*)b', src: '-ab-axxb-', template: '${1}W', want: '-W-xxW-' },
    { desc: 'a group named 1W', pattern: 'a(?P<1W>x*)b', src: '-ab-axxb-', template: '$1W', want: '--xx-' },
    { desc: '${name}', pattern: '^/(?P<first>[^/]+)/(?P<rest>.*)$', src: '/a/b/c', template: '/${rest}/${first}', want: '/b/c/a' },
    { desc: '(?<name>) spelling', pattern: '^/(?<v>v[0-9])/', src: '/v2/x', template: '/api-$v/', want: '/api-v2/x' },
    { desc: '$$ is a dollar', pattern: 'x', src: 'axb', template: '$$', want: 'a$b' },
    { desc: 'a malformed $ is kept as text', pattern: 'x', src: 'axb', template: '$-${', want: 'a$-${b' },
    { desc: 'an unclosed brace is text', pattern: '(x)', src: 'axb', template: '${1', want: 'a${1b' },
    { desc: 'a group number beyond the pattern expands to nothing', pattern: '(x)', src: 'axb', template: '[$2]', want: 'a[]b' },
    { desc: 'a group that did not take part expands to nothing', pattern: '(x)|(y)', src: 'y', template: '<$1|$2>', want: '<|y>' },
    { desc: '$0 is the whole match', pattern: 'b+', src: 'abbc', template: '<$0>', want: 'a<bb>c' },
    { desc: 'leading zero: $01 is a name', pattern: '(x)', src: 'x', template: '$01', want: '' },
    { desc: 'empty match after a match is not replaced (Go, unlike JS)', pattern: 'b*', src: 'abc', template: '-', want: '-a-c-' },
    { desc: 'empty matches everywhere', pattern: '', src: 'ab', template: '-', want: '-a-b-' },
    { desc: 'astral characters advance by one code point', pattern: 'x*', src: '😀', template: '-', want: '-😀-' },
    { desc: 'RE2 syntax is translated: \\pL and (?i)', pattern: '(?i)^/API/(\\pL+)', src: '/api/Ünïcode/x', template: '/$1', want: '/Ünïcode/x' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(replaceAll(c.pattern, c.src, c.template), c.want);
    });
  }

  void it('goMatch and goFind reset the global regexp between calls', () => {
    const g = compileGoRegexp('/b');
    assert.equal(goMatch(g, '/a/b'), true);
    assert.equal(goMatch(g, '/a/b'), true);
    assert.equal(goFind(g, '/b/b')?.index, 0);
    assert.equal(goFind(g, '/x/b')?.index, 2);
  });

  void it('refuses what RE2 refuses, naming the pattern', () => {
    assert.throws(() => compileGoRegexp('a(?=b)'), /invalid regexp "a\(\?=b\)": look-ahead/);
    assert.throws(() => compileGoRegexp('(a'), /missing closing \)/);
  });
});
