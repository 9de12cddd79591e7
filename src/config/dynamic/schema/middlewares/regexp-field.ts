/**
 * A Go RE2 regular expression option (stripPrefixRegex.regex, replacePathRegex.regex,
 * redirectRegex.regex): checked at configuration time with the rule engine's RE2 translator, so
 * a pattern Go would refuse (or one that uses Perl-only syntax such as look-ahead) is an error
 * naming the key, never a failure at request time.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import { Re2Error, translateRe2 } from '../../../../rules/re2.js';
import type { Field, Scope } from '../fields.js';
import { readString } from '../fields.js';

/** The pattern (trimmed when `trim`, as Traefik does for some middlewares), or undefined when invalid/unset. */
export function readRegexp(scope: Scope, f: Field | undefined, opts: { trim: boolean }): string | undefined {
  const raw = readString(scope, f);
  if (raw === undefined || f === undefined) return undefined;
  const pattern = opts.trim ? raw.trim() : raw;
  return checkRegexp(scope, f, pattern) ? pattern : undefined;
}

/** Reports `pattern` (found at `f`) when Go's regexp package would not compile it. */
export function checkRegexp(scope: Scope, f: Field, pattern: string): boolean {
  try {
    const t = translateRe2(pattern);
    new RegExp(t.source, t.flags);
    return true;
  } catch (err) {
    const where = err instanceof Re2Error ? ` (at offset ${err.offset})` : '';
    const reason = err instanceof Error ? err.message : String(err);
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `invalid regular expression ${JSON.stringify(pattern)}: ${reason}${where}${scope.leftOut}`);
    return false;
  }
}
