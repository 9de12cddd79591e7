/** Golden error tests: rule -> code + position (+ the message shape for a few). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRule, RuleError, type RuleErrorCode } from '../../../src/rules/index.js';

interface ErrorCase {
  desc: string;
  rule: string;
  code: RuleErrorCode;
  position: number;
  /** Substring expected in the message. */
  says?: string;
}

const CASES: ErrorCase[] = [
  // syntax
  { desc: 'empty rule', rule: '', code: 'TPK_RULE_SYNTAX', position: 0, says: 'empty rule' },
  { desc: 'blank rule', rule: '   ', code: 'TPK_RULE_SYNTAX', position: 3 },
  { desc: 'dangling &&', rule: 'Host(`a`) &&', code: 'TPK_RULE_SYNTAX', position: 12, says: "expected a matcher after '&&'" },
  { desc: 'dangling ||', rule: 'Host(`a`) || ', code: 'TPK_RULE_SYNTAX', position: 13, says: "after '||'" },
  { desc: 'dangling !', rule: '!', code: 'TPK_RULE_SYNTAX', position: 1, says: "after '!'" },
  { desc: 'leading &&', rule: '&& Host(`a`)', code: 'TPK_RULE_SYNTAX', position: 0 },
  { desc: 'single &', rule: 'Host(`a`) & Path(`/`)', code: 'TPK_RULE_SYNTAX', position: 10, says: "'&&'" },
  { desc: 'single |', rule: 'Host(`a`) | Path(`/`)', code: 'TPK_RULE_SYNTAX', position: 10, says: "'||'" },
  { desc: 'two matchers without operator', rule: 'Host(`a`) Path(`/`)', code: 'TPK_RULE_SYNTAX', position: 10 },
  { desc: 'unclosed parenthesis', rule: '(Host(`a`)', code: 'TPK_RULE_SYNTAX', position: 10, says: "to close '(' at position 0" },
  { desc: 'extra closing parenthesis', rule: 'Host(`a`))', code: 'TPK_RULE_SYNTAX', position: 9 },
  { desc: 'empty parentheses', rule: '()', code: 'TPK_RULE_SYNTAX', position: 1, says: "after '('" },
  { desc: 'matcher without parentheses', rule: 'Host', code: 'TPK_RULE_SYNTAX', position: 4, says: "expected '('" },
  { desc: 'unterminated arguments', rule: 'Host(`a`', code: 'TPK_RULE_SYNTAX', position: 8, says: "expected ',' or ')'" },
  { desc: 'single quotes', rule: "Host('a')", code: 'TPK_RULE_SYNTAX', position: 5, says: 'single quotes' },
  { desc: 'unterminated backtick', rule: 'Host(`a)', code: 'TPK_RULE_SYNTAX', position: 5, says: 'not terminated' },
  { desc: 'unterminated double quote', rule: 'Host("a)', code: 'TPK_RULE_SYNTAX', position: 5, says: 'not terminated' },
  { desc: 'newline in double quotes', rule: 'Host("a\nb")', code: 'TPK_RULE_SYNTAX', position: 7 },
  { desc: 'bad escape in double quotes', rule: 'Host("a\\qb")', code: 'TPK_RULE_SYNTAX', position: 7, says: 'unknown escape' },
  { desc: "\\' is not a string escape", rule: 'Host("a\\\'")', code: 'TPK_RULE_SYNTAX', position: 7 },
  { desc: 'short \\x escape', rule: 'Host("\\x4")', code: 'TPK_RULE_SYNTAX', position: 6 },
  { desc: 'octal escape > 255', rule: 'Host("\\400")', code: 'TPK_RULE_SYNTAX', position: 6 },
  { desc: 'surrogate \\u escape', rule: 'Host("\\ud800")', code: 'TPK_RULE_SYNTAX', position: 6 },
  { desc: 'unquoted argument', rule: 'Host(example.com)', code: 'TPK_RULE_SYNTAX', position: 5, says: 'backticks or double quotes' },
  { desc: 'number argument', rule: 'Host(1)', code: 'TPK_RULE_SYNTAX', position: 5 },
  { desc: 'missing comma', rule: 'Header(`a` `b`)', code: 'TPK_RULE_SYNTAX', position: 11 },
  { desc: 'double comma', rule: 'Header(`a`,,`b`)', code: 'TPK_RULE_SYNTAX', position: 11 },
  { desc: 'unexpected character', rule: 'Host(`a`) && #', code: 'TPK_RULE_SYNTAX', position: 13 },
  { desc: 'string where matcher expected', rule: '`a`', code: 'TPK_RULE_SYNTAX', position: 0 },
  { desc: 'too deep nesting', rule: `${'('.repeat(500)}Host(\`a\`)${')'.repeat(500)}`, code: 'TPK_RULE_SYNTAX', position: 200 },
  // names
  { desc: 'unknown matcher', rule: 'Hots(`a`)', code: 'TPK_RULE_UNKNOWN_MATCHER', position: 0 },
  { desc: 'mixed-case spelling', rule: 'PathPREFIX(`/a`)', code: 'TPK_RULE_UNKNOWN_MATCHER', position: 0, says: 'Pathprefix' },
  { desc: 'camel lower spelling', rule: 'pathPrefix(`/a`)', code: 'TPK_RULE_UNKNOWN_MATCHER', position: 0 },
  { desc: 'v2 Headers name', rule: 'Path(`/`) && Headers(`a`, `b`)', code: 'TPK_RULE_UNKNOWN_MATCHER', position: 13, says: 'v2' },
  { desc: 'HostSNI is TCP only', rule: 'HostSNI(`a`)', code: 'TPK_RULE_UNKNOWN_MATCHER', position: 0 },
  // arity
  { desc: 'no arguments', rule: 'Host()', code: 'TPK_RULE_ARITY', position: 0, says: 'takes 1 argument, got 0' },
  { desc: 'v2 multi-host', rule: 'Host(`a`, `b`)', code: 'TPK_RULE_ARITY', position: 0 },
  // The parser keeps at most maxArgs values (a huge list must not grow its scratch lists), but counts them all.
  { desc: 'a huge argument list is counted', rule: `Host(${'`a`, '.repeat(20000)}\`b\`)`, code: 'TPK_RULE_ARITY', position: 0, says: 'got 20001' },
  { desc: 'header one argument', rule: 'Path(`/`) || Header(`a`)', code: 'TPK_RULE_ARITY', position: 13, says: 'takes 2 arguments' },
  { desc: 'query three arguments', rule: 'Query(`a`, `b`, `c`)', code: 'TPK_RULE_ARITY', position: 0, says: '1 to 2' },
  { desc: 'queryregexp no arguments', rule: 'QueryRegexp()', code: 'TPK_RULE_ARITY', position: 0 },
  { desc: 'clientip two values (v2 syntax)', rule: 'ClientIP(`1.1.1.1`, `2.2.2.2`)', code: 'TPK_RULE_ARITY', position: 0 },
  // values
  { desc: 'empty host', rule: 'Host(``)', code: 'TPK_RULE_BAD_VALUE', position: 5, says: 'empty argument' },
  { desc: 'empty header value', rule: 'Header(`a`, "")', code: 'TPK_RULE_BAD_VALUE', position: 12 },
  { desc: 'empty query key', rule: 'Query(``)', code: 'TPK_RULE_BAD_VALUE', position: 6 },
  { desc: 'non-ASCII host', rule: 'Host(`bücher.example`)', code: 'TPK_RULE_BAD_VALUE', position: 5, says: 'punycode' },
  { desc: 'non-ASCII hostregexp', rule: 'HostRegexp(`bücher`)', code: 'TPK_RULE_BAD_VALUE', position: 11 },
  { desc: 'path without slash', rule: 'Path(`api`)', code: 'TPK_RULE_BAD_VALUE', position: 5, says: "must start with '/'" },
  { desc: 'pathprefix without slash', rule: 'Host(`a`) && PathPrefix(`api`)', code: 'TPK_RULE_BAD_VALUE', position: 24 },
  { desc: 'bad IP', rule: 'ClientIP(`1.2.3`)', code: 'TPK_RULE_BAD_VALUE', position: 9 },
  { desc: 'IPv4 leading zero', rule: 'ClientIP(`01.2.3.4`)', code: 'TPK_RULE_BAD_VALUE', position: 9 },
  { desc: 'CIDR too long', rule: 'ClientIP(`10.0.0.0/33`)', code: 'TPK_RULE_BAD_VALUE', position: 9 },
  { desc: 'CIDR bits leading zero', rule: 'ClientIP(`10.0.0.0/08`)', code: 'TPK_RULE_BAD_VALUE', position: 9 },
  { desc: 'CIDR with zone', rule: 'ClientIP(`fe80::%eth0/64`)', code: 'TPK_RULE_BAD_VALUE', position: 9 },
  { desc: 'IPv6 two ellipses', rule: 'ClientIP(`1::2::3`)', code: 'TPK_RULE_BAD_VALUE', position: 9 },
  // regexps
  { desc: 'unbalanced regexp', rule: 'PathRegexp(`(a`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'missing closing )' },
  { desc: 'backreference', rule: 'HostRegexp(`(a)\\1`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'back-references' },
  { desc: 'lookahead', rule: 'PathRegexp(`^/(?!admin)`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'look-ahead' },
  { desc: 'lookbehind', rule: 'PathRegexp(`(?<=a)b`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'named backreference', rule: 'PathRegexp(`(?P<x>a)(?P=x)`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'atomic group', rule: 'PathRegexp(`(?>a)`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'nested repetition', rule: 'PathRegexp(`a**`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'nested repetition' },
  { desc: 'possessive quantifier', rule: 'PathRegexp(`a++`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'missing repeat argument', rule: 'PathRegexp(`*a`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'missing argument' },
  { desc: 'repeat count > 1000', rule: 'PathRegexp(`a{1001}`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'repeat count' },
  { desc: 'repeat min > max', rule: 'PathRegexp(`a{3,2}`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'bad class range', rule: 'PathRegexp(`[z-a]`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'unknown POSIX class', rule: 'PathRegexp(`[[:foo:]]`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'unclosed class', rule: 'PathRegexp(`[a`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'missing closing ]' },
  { desc: 'trailing backslash', rule: 'PathRegexp(`a\\`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'unknown letter escape', rule: 'PathRegexp(`\\e`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: '\\Z is not RE2', rule: 'PathRegexp(`a\\Z`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: '\\C any byte', rule: 'PathRegexp(`\\C`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'unknown flag', rule: 'PathRegexp(`(?x)a`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'dangling flag negation', rule: 'PathRegexp(`(?i-)a`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'duplicate group name', rule: 'PathRegexp(`(?P<a>x)(?P<a>y)`)', code: 'TPK_RULE_BAD_REGEXP', position: 11, says: 'duplicate' },
  { desc: 'unknown unicode class', rule: 'PathRegexp(`\\p{NoSuchScript}`)', code: 'TPK_RULE_BAD_REGEXP', position: 11 },
  { desc: 'bad header regexp is at its argument', rule: 'HeaderRegexp(`X`, `(`)', code: 'TPK_RULE_BAD_REGEXP', position: 18 },
  { desc: 'bad query regexp', rule: 'QueryRegexp(`q`, `[`)', code: 'TPK_RULE_BAD_REGEXP', position: 17 },
  { desc: 'parse errors are reported before value errors', rule: 'Path(`x`) && Hots(`a`)', code: 'TPK_RULE_UNKNOWN_MATCHER', position: 13 },
];

void describe('rule errors (golden)', () => {
  for (const c of CASES) {
    void it(c.desc, () => {
      assert.throws(
        () => compileRule(c.rule),
        (e: unknown) => {
          assert.ok(e instanceof RuleError, `not a RuleError: ${String(e)}`);
          assert.equal(e.code, c.code, e.message);
          assert.equal(e.position, c.position, e.message);
          assert.equal(e.rule, c.rule);
          assert.ok(e.message.startsWith(`invalid rule ${JSON.stringify(c.rule)} at position ${c.position}: `), e.message);
          if (c.says !== undefined) assert.ok(e.message.includes(c.says), e.message);
          return true;
        },
      );
    });
  }

  void it('message format from the brief', () => {
    assert.throws(() => compileRule('Host(`a`) &&'), {
      message: 'invalid rule "Host(`a`) &&" at position 12: expected a matcher after \'&&\'',
    });
  });
});
