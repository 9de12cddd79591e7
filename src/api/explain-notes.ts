/**
 * The explainer's hints (`notes`) and a 404's `nearest` routers: the usual reasons a request does
 * not reach the router its author expected — a TLS router asked over plain HTTP (or the reverse),
 * a router on another entry point, a disabled router, the entry point's redirection taking every
 * request first, a tie of priorities settled by name. Each is found by evaluating the real route
 * tables' entries (explainRule over the compiled rules), bounded for large tables.
 */
import type { EntryPointConfig, StaticConfig } from '../config/static/types.js';
import type { Handler } from '../exchange/exchange.js';
import { compileRule, type CompiledRule, type MatchInput, type RouteEntry, type RouteTable } from '../rules/index.js';
import { explainRule, type RuleTrace } from '../rules/explain.js';
import type { CompiledGraph } from '../runtime/compile.js';
import type { JsonObject } from './wire.js';

/** What the explainer knows of the compiled graph a request would meet. */
export interface ExplainContext {
  readonly graph: CompiledGraph;
  readonly config: StaticConfig;
  readonly input: MatchInput;
}

/** Entries scored for "nearest routers" on a 404, or scanned for other matches (each costs a traced evaluation). */
const SCAN_LIMIT = 5000;
const NEAREST_SHOWN = 5;
/** Same-priority matches named in a tie note. */
const TIES_SHOWN = 5;

const ruleCache = new Map<string, CompiledRule | null>();

function ruleOf(text: string): CompiledRule | null {
  let r = ruleCache.get(text);
  if (r === undefined) {
    try {
      r = compileRule(text);
    } catch {
      r = null;
    }
    if (ruleCache.size > 10_000) ruleCache.clear();
    ruleCache.set(text, r);
  }
  return r;
}

/** The entry-point redirection router of `ep` (`<ep>-to-<target>@internal`), when `name` is it. */
export function isRedirection(ep: EntryPointConfig, name: string): boolean {
  return ep.http.redirections !== undefined && name.startsWith(`${ep.name}-to-`) && name.endsWith('@internal');
}

/** Notes about the routers after the winner in the table: ties, and what a redirection hides. */
function shadowed(ctx: ExplainContext, ep: EntryPointConfig, entries: readonly RouteEntry<Handler>[], winner: RouteEntry<Handler>): string[] {
  const out: string[] = [];
  const ties: string[] = [];
  const redirection = isRedirection(ep, winner.name);
  const start = entries.indexOf(winner) + 1;
  const end = Math.min(entries.length, start + SCAN_LIMIT);
  for (let i = start; i < end; i++) {
    const e = entries[i] as RouteEntry<Handler>;
    if (e.priority !== winner.priority && !redirection) break;
    if (!explainRule(e.rule, ctx.input).result) continue;
    if (redirection && !e.name.endsWith('@internal')) {
      out.push(`router "${e.name}" (priority ${e.priority}) matches too, but entry point "${ep.name}" redirects every request first (its redirection has priority ${winner.priority})`);
      break;
    }
    if (e.priority === winner.priority && ties.length < TIES_SHOWN) ties.push(`"${e.name}"`);
  }
  if (ties.length > 0) {
    out.push(`router${ties.length > 1 ? 's' : ''} ${ties.join(', ')} match${ties.length > 1 ? '' : 'es'} too with the same priority ${winner.priority}; "${winner.name}" wins because ties go to the name that sorts first (set a priority to choose)`);
  }
  return out;
}

/** The usual causes of a 404 or of an unexpected winner, as sentences. */
export function explainNotes(ctx: ExplainContext, ep: EntryPointConfig, tls: boolean, table: RouteTable<Handler>, winner: RouteEntry<Handler> | undefined): string[] {
  const out: string[] = [];
  const tables = ctx.graph.routeTables;
  const other = tables?.get(ep.name)?.[tls ? 'plain' : 'tls'];
  const otherHit = other?.match(ctx.input);
  if (otherHit !== undefined && (winner === undefined || otherHit.priority > winner.priority)) {
    out.push(
      tls
        ? `router "${otherHit.name}" matches but serves plain HTTP only (it has no tls); this request is HTTPS`
        : `router "${otherHit.name}" matches but is a TLS router (it serves HTTPS only); this request is plain HTTP`,
    );
  }
  if (winner !== undefined) out.push(...shadowed(ctx, ep, table.entries, winner));
  for (const [name, t] of tables ?? []) {
    if (name === ep.name) continue;
    const hit = t[tls ? 'tls' : 'plain'].match(ctx.input);
    if (hit !== undefined && winner === undefined && !hit.name.endsWith('@internal')) out.push(`router "${hit.name}" would match on entry point "${name}", not on "${ep.name}"`);
  }
  let scanned = 0;
  for (const v of Object.values(ctx.graph.view.routers)) {
    if (v.status !== 'disabled') continue;
    if (++scanned > SCAN_LIMIT) break;
    const rule = ruleOf(v.config.rule);
    if (rule === null || !explainRule(rule, ctx.input).result) continue;
    const on = v.config.entryPoints === undefined || v.config.entryPoints.includes(ep.name);
    if (!on) continue;
    out.push(`router "${v.name}" matches but is disabled: ${v.errors.join('; ')}`);
  }
  return out;
}

function hostMatched(t: RuleTrace): boolean {
  switch (t.kind) {
    case 'matcher':
      return (t.matcher === 'Host' || t.matcher === 'HostRegexp') && t.result;
    case 'not':
      return false;
    case 'and':
    case 'or':
      return t.operands.some(hostMatched);
  }
}

/** The nearest routers of a 404: those whose Host matched first, then by share of true matchers. */
export function nearestRouters(ctx: ExplainContext, table: RouteTable<Handler>): JsonObject[] {
  const scored: { e: RouteEntry<Handler>; score: number; failed: readonly string[]; matched: number; total: number }[] = [];
  const entries = table.entries;
  const n = Math.min(entries.length, SCAN_LIMIT);
  for (let i = 0; i < n; i++) {
    const e = entries[i] as RouteEntry<Handler>;
    if (e.name.endsWith('@internal')) continue;
    const x = explainRule(e.rule, ctx.input);
    if (x.matched === 0) continue;
    const hostOk = hostMatched(x.trace);
    scored.push({ e, score: (hostOk ? 1000 : 0) + (x.matched / Math.max(1, x.total)) * 100, failed: x.failed, matched: x.matched, total: x.total });
  }
  scored.sort((a, b) => b.score - a.score || b.e.priority - a.e.priority);
  return scored.slice(0, NEAREST_SHOWN).map((s) => ({ name: s.e.name, priority: s.e.priority, rule: s.e.rule.source, matched: s.matched, of: s.total, failed: [...s.failed] }));
}
