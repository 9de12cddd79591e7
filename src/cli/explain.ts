/**
 * `turnpike explain <url> [--header k:v]... [--method M] [--clientIP ip] [--entryPoint name]
 * [--api http://127.0.0.1:8080] [--json]`: asks a running Turnpike's API (`/api/explain`) which
 * router a request would reach and why, and prints the answer for a human (or the JSON as is).
 */

export const EXPLAIN_USAGE =
  'usage: turnpike explain <url> [--header name:value]... [--method M] [--clientIP ip] [--entryPoint name] [--api http://127.0.0.1:8080] [--json]\n';

export interface ExplainArgs {
  readonly url: string;
  readonly api: string;
  readonly method: string | undefined;
  readonly headers: readonly string[];
  readonly clientIP: string | undefined;
  readonly entryPoint: string | undefined;
  readonly json: boolean;
}

const VALUE_FLAGS = new Set(['header', 'method', 'clientIP', 'entryPoint', 'api', 'H', 'X']);

/** Parses the arguments after `explain`; a string is the error to print. */
export function parseExplainArgs(argv: readonly string[]): ExplainArgs | string {
  let url: string | undefined;
  let api = 'http://127.0.0.1:8080';
  let method: string | undefined;
  let clientIP: string | undefined;
  let entryPoint: string | undefined;
  let json = false;
  const headers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) {
      if (url !== undefined) return `unexpected argument ${JSON.stringify(arg)} (one URL only)`;
      url = arg;
      continue;
    }
    const m = /^--?([A-Za-z]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) return `unknown option ${arg}`;
    const name = m[1] as string;
    if (name === 'json') {
      json = true;
      continue;
    }
    if (!VALUE_FLAGS.has(name)) return `unknown option --${name}`;
    let value = m[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) return `--${name} needs a value`;
    }
    switch (name) {
      case 'header':
      case 'H':
        if (!value.includes(':')) return `--header takes name:value, got ${JSON.stringify(value)}`;
        headers.push(value);
        break;
      case 'method':
      case 'X':
        method = value;
        break;
      case 'clientIP':
        clientIP = value;
        break;
      case 'entryPoint':
        entryPoint = value;
        break;
      case 'api':
        // `host:8080` means http://host:8080; a basePath may follow (http://host:8080/traefik).
        api = (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`).replace(/\/+$/, '');
        if (!/^https?:\/\//i.test(api) || !URL.canParse(api)) return `--api takes the API's http:// or https:// URL, got ${JSON.stringify(value)}`;
        break;
    }
  }
  if (url === undefined) return 'missing the URL to explain';
  return { url, api, method, headers, clientIP, entryPoint, json };
}

/** The API URL asking about `a`. */
export function explainUrl(a: ExplainArgs): string {
  const q = new URLSearchParams({ url: a.url });
  if (a.method !== undefined) q.set('method', a.method);
  for (const h of a.headers) q.append('header', h);
  if (a.clientIP !== undefined) q.set('clientIP', a.clientIP);
  if (a.entryPoint !== undefined) q.set('entryPoint', a.entryPoint);
  // --api may carry the API's basePath (http://host:8080/traefik).
  return `${a.api}/api/explain?${q.toString()}`;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function traceLines(t: unknown, indent: string, out: string[]): void {
  if (!isObj(t)) return;
  const mark = t['result'] === true ? 'true ' : 'false';
  if (typeof t['matcher'] === 'string') {
    out.push(`${indent}${mark}  ${t['matcher']}`);
    return;
  }
  if (t['not'] !== undefined) {
    out.push(`${indent}${mark}  NOT`);
    traceLines(t['not'], indent + '  ', out);
    return;
  }
  for (const op of ['and', 'or']) {
    if (Array.isArray(t[op])) {
      out.push(`${indent}${mark}  ${op === 'and' ? 'ALL OF (&&)' : 'ANY OF (||)'}`);
      for (const child of t[op] as unknown[]) traceLines(child, indent + '  ', out);
    }
  }
}

function serviceLines(svc: unknown, indent: string, out: string[]): void {
  if (!isObj(svc)) return;
  const extra = [s(svc['role']), svc['weight'] !== undefined ? `weight ${s(svc['weight'])}` : '', svc['percent'] !== undefined ? `${s(svc['percent'])}%` : '']
    .filter((x) => x !== '')
    .join(', ');
  out.push(`${indent}${s(svc['name'])} [${s(svc['type']) || '?'}, ${s(svc['status'])}]${extra ? ` (${extra})` : ''}`);
  for (const e of arr(svc['error'])) out.push(`${indent}  error: ${s(e)}`);
  for (const server of arr(svc['servers'])) if (isObj(server)) out.push(`${indent}  -> ${s(server['url'])}  ${s(server['status'])}`);
  for (const child of arr(svc['children'])) serviceLines(child, indent + '  ', out);
}

/** The API's explanation as text for a terminal. */
export function formatExplanation(body: unknown): string {
  if (!isObj(body)) return `${JSON.stringify(body)}\n`;
  const out: string[] = [];
  const req = isObj(body['request']) ? body['request'] : {};
  const ep = isObj(body['entryPoint']) ? body['entryPoint'] : {};
  out.push(`request:     ${s(req['method'])} ${s(req['url'])}  (host ${s(req['host'])}, path ${s(req['routingPath'])}, client ${s(req['clientIP'])}${req['tls'] === true ? ', TLS' : ''})`);
  out.push(`entry point: ${s(ep['name'])} ${s(ep['address'])} (chosen by ${s(ep['chosenBy'])})`);
  const tried = arr(body['triedBefore']);
  const total = typeof body['triedBeforeTotal'] === 'number' ? body['triedBeforeTotal'] : tried.length;
  if (body['result'] === 'routed' && isObj(body['router'])) {
    const r = body['router'];
    out.push(`router:      ${s(r['name'])} (priority ${s(r['priority'])}, ${s(r['status'])})`);
    out.push(`rule:        ${s(r['rule'])}`);
    const redirect = r['redirect'];
    if (isObj(redirect)) {
      const how = [s(redirect['scheme']), redirect['port'] !== '' ? `port ${s(redirect['port'])}` : '', redirect['permanent'] === true ? 'permanent' : 'temporary'].filter((x) => x !== '');
      out.push(`redirect:    entry point redirection to ${s(redirect['to'])} (${how.join(', ')})`);
    }
    traceLines(r['trace'], '  ', out);
  } else {
    out.push('result:      404 page not found (no router matches)');
  }
  if (total > 0) {
    out.push(`tried before (higher in the table): ${total}${tried.length < total ? `, first ${tried.length} shown` : ''}`);
    for (const t of tried) if (isObj(t)) out.push(`  ${s(t['name'])} (priority ${s(t['priority'])}): failed ${arr(t['failed']).map(s).join(', ')}`);
  }
  const mws = arr(body['middlewares']);
  if (mws.length > 0) {
    out.push('middlewares:');
    for (const m of mws) if (isObj(m)) out.push(`  ${s(m['name'])} [${s(m['type']) || '?'}, ${s(m['status'])}] from ${s(m['from'])}`);
  }
  if (isObj(body['service'])) {
    out.push('service:');
    serviceLines(body['service'], '  ', out);
  }
  const near = arr(body['nearest']);
  if (near.length > 0) {
    out.push('nearest routers:');
    for (const n of near) {
      if (!isObj(n)) continue;
      out.push(`  ${s(n['name'])} (priority ${s(n['priority'])}, ${s(n['matched'])}/${s(n['of'])} matchers true): ${s(n['rule'])}`);
      out.push(`    failed: ${arr(n['failed']).map(s).join(', ')}`);
    }
  }
  const notes = arr(body['notes']);
  if (notes.length > 0) {
    out.push('notes:');
    for (const n of notes) out.push(`  - ${s(n)}`);
  }
  return out.join('\n') + '\n';
}

/** What to try when the API refuses (a line, or ''). */
function statusHint(status: number): string {
  if (status === 404) return '(no /api/explain there: is `api` enabled (api.insecure serves it on :8080, or a router to api@internal), and does --api include api.basePath?)\n';
  if (status === 401 || status === 403) return '(the API is behind authentication: pass --api http://user:password@host:port)\n';
  return '';
}

/** Runs `turnpike explain`; returns the exit code (0 routed, 2 a 404, 1 an error). */
export async function runExplain(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseExplainArgs(argv);
  if (typeof args === 'string') {
    err(`turnpike explain: ${args}\n${EXPLAIN_USAGE}`);
    return 1;
  }
  // fetch refuses credentials in a URL: `--api http://user:pass@host` (an API behind basicAuth) becomes a header.
  const target = new URL(explainUrl(args));
  const headers: Record<string, string> = {};
  if (target.username !== '' || target.password !== '') {
    headers['Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  let res: Response;
  try {
    res = await fetch(target, { signal: AbortSignal.timeout(10_000), headers });
  } catch (e) {
    err(`turnpike explain: cannot reach the API at ${args.api.replace(/\/\/[^/@]*@/, '//')}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}\n(is Turnpike running with api enabled? pass --api http://host:port)\n`);
    return 1;
  }
  const text = await res.text();
  if (res.status !== 200) {
    let message = text.trim();
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObj(parsed) && typeof parsed['message'] === 'string') message = parsed['message'];
    } catch {
      // not JSON: print as is
    }
    err(`turnpike explain: the API answered ${res.status}: ${message}\n${statusHint(res.status)}`);
    return 1;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    err(`turnpike explain: the API answered something else than JSON\n`);
    return 1;
  }
  out(args.json ? `${JSON.stringify(body, null, 2)}\n` : formatExplanation(body));
  return isObj(body) && body['result'] === 'routed' ? 0 : 2;
}
