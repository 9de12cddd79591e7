/**
 * The rule engine: Traefik v3 rule language (parse, compile, priority) and route tables.
 * Pure code: no Node imports.
 */
export { RuleError, type RuleErrorCode } from './rule-error.js';
export type { RuleNode, MatcherNode, NotNode, AndNode, OrNode } from './ast.js';
export { parseRule } from './parser.js';
export { HTTP_MATCHERS, HTTP_MATCHER_TABLE, MatcherTable, type MatcherSpec, type HttpMatcherName } from './matcher-specs.js';
export { compileRule, defaultPriority, detachedRule, matchesRule, ruleHosts, type CompiledRule } from './compile.js';
export type { IndexKey, IndexKeys, Predicate } from './http-matchers.js';
export { MatchContext, type MatchInput } from './match-context.js';
export { createScanTable, sortEntries, type RouteEntry, type RouteTable } from './route-table.js';
export { createIndexedTable, indexedTableSteps, updatedTableSteps } from './indexed-table.js';
export { translateRe2, Re2Error, type TranslatedRegexp } from './re2.js';
export { canonicalHost } from './host.js';
export { parseQuery, type QueryValues } from './query.js';
