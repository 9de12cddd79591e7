/**
 * The one error type the rule engine throws. A router whose rule fails to parse or compile is
 * disabled with this error recorded (traefik-reference §3); the rest of the configuration applies.
 */

/** Stable codes: tests and diagnostics assert these, never the message text. */
export type RuleErrorCode =
  /** The rule is not well formed (operators, parentheses, quoting). */
  | 'TPK_RULE_SYNTAX'
  /** A name that is not a matcher in any accepted spelling. */
  | 'TPK_RULE_UNKNOWN_MATCHER'
  /** Wrong number of arguments for the matcher. */
  | 'TPK_RULE_ARITY'
  /** An argument the matcher cannot use (empty, non-ASCII host, path without '/', bad IP...). */
  | 'TPK_RULE_BAD_VALUE'
  /** A regular expression RE2 would reject, or one Turnpike cannot translate faithfully. */
  | 'TPK_RULE_BAD_REGEXP';

export class RuleError extends Error {
  readonly code: RuleErrorCode;
  /** 0-based offset (UTF-16 code units) into `rule` where the problem was found. */
  readonly position: number;
  /** The rule text as written. */
  readonly rule: string;
  /** What was wrong or expected, without the rule/position prefix. */
  readonly detail: string;

  constructor(code: RuleErrorCode, rule: string, position: number, detail: string) {
    super(`invalid rule ${JSON.stringify(rule)} at position ${position}: ${detail}`);
    this.name = 'RuleError';
    this.code = code;
    this.rule = rule;
    this.position = position;
    this.detail = detail;
  }
}
