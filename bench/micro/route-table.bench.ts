/**
 * Route table micro benchmark (a script, not a test): compile time and ns per lookup for
 * 10 / 1k / 10k / 100k routers of mixed shapes (Host, Host+PathPrefix, HostRegexp with a literal
 * suffix, Header, wildcard Host, PathPrefix), indexed vs scan.
 *
 *   npx tsc -p . --outDir dist-bench && node dist-bench/bench/micro/route-table.bench.js [sizes...]
 */
import { HeaderList } from '../../src/exchange/headers.js';
import {
  compileRule,
  createIndexedTable,
  createScanTable,
  defaultPriority,
  type MatchInput,
  type RouteEntry,
  type RouteTable,
} from '../../src/rules/index.js';

/** Router shape of index i; spread so that even 10 routers contain every shape. */
function shape(i: number): number {
  return (i * 7) % 20;
}

function ruleFor(i: number): string {
  switch (shape(i)) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
      return `Host(\`svc${i}.example.com\`)`;
    case 8: case 9: case 10: case 11: case 12:
      return `Host(\`app${i}.example.com\`) && PathPrefix(\`/api/v${i % 3}\`)`;
    case 13: case 14: case 15:
      return `HostRegexp(\`^[a-z0-9-]+\\.tenant${i}\\.example\\.net$\`)`;
    case 16: case 17:
      return `Header(\`X-Tenant\`, \`t${i}\`)`;
    case 18:
      return `Host(\`*.wild${i}.example.org\`)`;
    default:
      return `PathPrefix(\`/static${i}/\`)`;
  }
}

function requestFor(i: number, n: number): MatchInput {
  const r = i % n;
  const headers = new HeaderList(['Host', 'x', 'User-Agent', 'bench/1.0', 'Accept', '*/*']);
  let host = `svc${r}.example.com`;
  let path = '/index.html';
  switch (shape(r)) {
    case 8: case 9: case 10: case 11: case 12:
      host = `app${r}.example.com:443`;
      path = `/api/v${r % 3}/users/42`;
      break;
    case 13: case 14: case 15:
      host = `edge-1.tenant${r}.example.net`;
      break;
    case 16: case 17:
      host = 'shared.example.com';
      headers.add('X-Tenant', `t${r}`);
      break;
    case 18:
      host = `www.wild${r}.example.org`;
      break;
    case 19:
      host = 'cdn.example.com';
      path = `/static${r}/app.js`;
      break;
    default:
      break;
  }
  // One request in ten matches nothing (404 path).
  if (i % 10 === 9) host = `missing${i}.example.com`;
  return { method: 'GET', host, routingPath: path, query: 'a=1', headers, peer: { address: '10.0.0.1' } };
}

function build(n: number): { entries: RouteEntry<number>[]; ms: number; table: RouteTable<number> } {
  const c0 = process.cpuUsage();
  const entries: RouteEntry<number>[] = [];
  for (let i = 0; i < n; i++) {
    const rule = ruleFor(i);
    entries.push({ name: `router-${i}`, rule: compileRule(rule), priority: defaultPriority(rule), value: i });
  }
  const table = createIndexedTable(entries);
  return { entries, ms: cpuMs(c0), table };
}

/** CPU milliseconds used by this process since `since` (less sensitive to a busy machine than wall time). */
function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function nsPerLookup(table: RouteTable<number>, requests: MatchInput[], minMs: number): { ns: number; hits: number } {
  let hits = 0;
  for (let i = 0; i < requests.length; i++) if (table.match(requests[i] as MatchInput) !== undefined) hits++;
  let iterations = 0;
  const c0 = process.cpuUsage();
  let elapsed = 0;
  do {
    for (let i = 0; i < requests.length; i++) table.match(requests[i] as MatchInput);
    iterations += requests.length;
    elapsed = cpuMs(c0);
  } while (elapsed < minMs);
  return { ns: (elapsed * 1e6) / iterations, hits };
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const SIZES = sizes.length > 0 ? sizes : [10, 1_000, 10_000, 100_000];

console.log('CPU time (process.cpuUsage), so a busy machine inflates it less than wall time.');
console.log('indexed = 2000 distinct requests over the whole table (cache misses grow with the table);');
console.log('hot = the same 10 requests again and again (what the index costs when memory is not the limit).');
console.log('routers  compile+index(ms)  indexed(ns/lookup)  hot(ns/lookup)  scan(ns/lookup)  hits/requests');
for (const n of SIZES) {
  const { entries, ms, table } = build(n);
  const requests = Array.from({ length: 2000 }, (_, i) => requestFor((i * 7919) % (n * 3), n));
  const indexed = nsPerLookup(table, requests, 500);
  const hot = nsPerLookup(table, Array.from({ length: 2000 }, (_, i) => requestFor(i % 10, n)), 300);
  let scanText = '(skipped)';
  if (n <= 10_000) {
    const scan = createScanTable(entries);
    const s = nsPerLookup(scan, requests.slice(0, n <= 1_000 ? 2000 : 200), 500);
    if (s.hits !== nsPerLookup(table, requests.slice(0, n <= 1_000 ? 2000 : 200), 1).hits) throw new Error('scan and index disagree');
    scanText = s.ns.toFixed(0);
  }
  console.log(
    `${String(n).padStart(7)}  ${ms.toFixed(0).padStart(17)}  ${indexed.ns.toFixed(0).padStart(18)}  ${hot.ns.toFixed(0).padStart(14)}  ${scanText.padStart(15)}  ${indexed.hits}/${requests.length}`,
  );
}
