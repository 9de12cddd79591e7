/**
 * Secrets never leave through the API. Two layers:
 * 1. Structural: the fields known to hold secrets are replaced by `xxxx` when a configuration is
 *    turned into its API shape (basicAuth/digestAuth users, forwardAuth's TLS key, any field named
 *    like a password/token/secret, header values of credential headers, the password of a URL).
 * 2. A last scrub of every response body: each secret string found in the configuration is
 *    replaced wherever it still appears (an error message quoting a users entry, say).
 */
import type { MiddlewareConfig, ServiceConfig } from '../config/dynamic/types.js';
import type { RuntimeView } from '../runtime/view.js';

export const REDACTED = 'xxxx';

/** Field names whose values are secrets, wherever they appear. */
const SECRET_KEY = /pass(word)?$|secret|token|api_?key|private_?key|^key$|credential/i;
/** Header names whose values are credentials. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api-?key|password|auth/i;
/** The password of a URL's userinfo: `scheme://user:PASSWORD@host`. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)([^/@]*)(@)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** `s` with a URL password replaced; other strings unchanged. */
export function redactUrl(s: string): string {
  return URL_PASSWORD.test(s) ? s.replace(URL_PASSWORD, `$1${REDACTED}$3`) : s;
}

/** A URL password anywhere in a text (a diagnostic quoting a URL). */
const URL_PASSWORD_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/[^\s/@:"]*:)([^\s/@"]*)(@)/gi;
/** Key-path segments under which a diagnostic's quoted value may be a secret. */
const SECRET_PATH_SEGMENT = /^(users|address|url|tls|headers|customRequestHeaders|customResponseHeaders)$/;
/** The value a schema diagnostic quotes (`expected ..., got "<value>"`). */
const QUOTED_VALUE = /\bgot "(?:[^"\\]|\\.)*"/g;

/**
 * A diagnostic's text for the API: URL passwords replaced and, when the diagnostic is about a
 * field that may hold a secret (auth users, an address, TLS material, a header map, a field named
 * like a token or password), the value it quotes too. Needed because a value the schema refused is
 * not in the running configuration, so the response scrub (which knows only that) cannot catch it.
 */
export function redactDiagnosticText(text: string, path: string | undefined): string {
  let out = text.replace(URL_PASSWORD_IN_TEXT, `$1${REDACTED}$3`);
  if (path !== undefined && path.split(/[.[\]]+/).some((seg) => SECRET_PATH_SEGMENT.test(seg) || isSecretKey(seg) || isSecretHeader(seg))) {
    out = out.replace(QUOTED_VALUE, `got "${REDACTED}"`);
  }
  return out;
}

/** A command line for /debug/vars: the values of flags named like a secret (`--x.token=...`, `--x.password v`) replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      hideNext = false;
      if (!arg.startsWith('-')) {
        out.push(REDACTED);
        continue;
      }
    }
    const m = /^--?([^=]+)(=?)/.exec(arg);
    const secret = m !== null && (m[1] as string).split('.').some((seg) => isSecretKey(seg) || isSecretHeader(seg));
    if (secret && m[2] === '=') out.push(`${arg.slice(0, m[0].length)}${REDACTED}`);
    else {
      out.push(arg);
      hideNext = secret;
    }
  }
  return out;
}

/** The password of a URL, if it has one. */
function urlPassword(s: string): string | undefined {
  const m = URL_PASSWORD.exec(s);
  return m?.[2] !== undefined && m[2] !== '' ? m[2] : undefined;
}

/** Every secret string of one middleware (for the response scrub). */
function middlewareSecrets(m: MiddlewareConfig, out: Set<string>): void {
  if (m.kind === 'basicAuth' || m.kind === 'digestAuth') {
    for (const u of m.options.users) {
      out.add(u);
      // The hash alone (an error may quote it without the user name).
      const colon = u.lastIndexOf(':');
      if (colon >= 0) out.add(u.slice(colon + 1));
    }
  } else if (m.kind === 'forwardAuth') {
    if (m.options.tls !== undefined && m.options.tls.key !== '') out.add(m.options.tls.key);
    const p = urlPassword(m.options.address);
    if (p !== undefined) out.add(p);
  } else if (m.kind === 'headers') {
    for (const headers of [m.options.customRequestHeaders, m.options.customResponseHeaders]) {
      for (const [name, value] of Object.entries(headers)) if (isSecretHeader(name) && value !== '') out.add(value);
    }
  }
}

function serviceSecrets(s: ServiceConfig, out: Set<string>): void {
  if (s.kind !== 'loadBalancer') return;
  for (const server of s.loadBalancer.servers) {
    const p = urlPassword(server.url);
    if (p !== undefined) out.add(p);
  }
  const hc = s.loadBalancer.healthCheck;
  if (hc) for (const [name, value] of Object.entries(hc.headers)) if (isSecretHeader(name) && value !== '') out.add(value);
}

const cache = new WeakMap<object, readonly string[]>();

/**
 * The secret strings of a runtime view's configuration, longest first (so a users entry is
 * replaced before the hash it contains). Cached per view.
 */
export function viewSecrets(view: RuntimeView): readonly string[] {
  const hit = cache.get(view);
  if (hit !== undefined) return hit;
  const out = new Set<string>();
  for (const m of Object.values(view.middlewares)) middlewareSecrets(m.config, out);
  for (const s of Object.values(view.services)) serviceSecrets(s.config, out);
  // Very short strings would blank out ordinary words; they are redacted structurally anyway.
  const list = [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  cache.set(view, list);
  return list;
}

/** `text` (a JSON body) with every secret replaced, in its raw and JSON-escaped forms. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}
