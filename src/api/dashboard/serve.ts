/**
 * Serves the web dashboard (`dashboard@internal`) under the API's basePath, as Traefik does:
 * `<basePath>` redirects (302) to `<basePath>dashboard/`, which serves the single-page app; the
 * app's own pages are hash routes (`#/http/routers`), so only the built files are ever asked for.
 *
 * Files come from memory (assets.ts: a whitelist of the built files, so no path can leave the
 * folder), with their Content-Type, a strong ETag (304 on If-None-Match), a year of caching for
 * content-hashed names and revalidation for index.html, brotli or gzip when the client takes it,
 * and a Content-Security-Policy that allows only the dashboard's own scripts, styles and API calls.
 */
import type { Exchange } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { defaultAssetDir, isSafeAssetName, loadAssets, type Asset, type AssetSet } from './assets.js';

/** The dashboard needs nothing but its own files and its own API (no CDN, no inline code). */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const loaded = new Map<string, Promise<AssetSet | undefined>>();

/** The assets of `dir`, read on first use (a missing build is retried on the next request). */
function assetsOf(dir: string): Promise<AssetSet | undefined> {
  let p = loaded.get(dir);
  if (p === undefined) {
    p = loadAssets(dir).then((set) => {
      if (set === undefined) loaded.delete(dir);
      return set;
    });
    loaded.set(dir, p);
  }
  return p;
}

/** Forgets what was read (tests, or after a rebuild in place). */
export function clearDashboardCache(): void {
  loaded.clear();
}

function text(ex: Exchange, status: number, body: string, extra?: readonly [string, string][]): void {
  const headers = new HeaderList(['Content-Type', 'text/plain; charset=utf-8', 'X-Content-Type-Options', 'nosniff']);
  for (const [k, v] of extra ?? []) headers.set(k, v);
  headers.set('Content-Length', String(Buffer.byteLength(body)));
  ex.response.writeHead(status, headers);
  ex.response.end(ex.method === 'HEAD' ? undefined : Buffer.from(body));
}

/**
 * Traefik's redirect honours X-Forwarded-Prefix (a proxy in front that strips a prefix); only a
 * plain absolute path is taken, so the header cannot send the browser to another site.
 */
function forwardedPrefix(ex: Exchange): string {
  const raw = ex.headers.get('x-forwarded-prefix');
  if (raw === undefined || !raw.startsWith('/') || raw.startsWith('//') || /[\\\s?#]/.test(raw)) return '';
  return raw.endsWith('/') ? raw.slice(0, -1) : raw;
}

function redirect(ex: Exchange, location: string): void {
  const to = ex.query !== null && ex.query !== '' ? `${location}?${ex.query}` : location;
  const body = `<a href="${to.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}">Found</a>.\n`;
  const headers = new HeaderList(['Location', to, 'Content-Type', 'text/html; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body))]);
  ex.response.writeHead(302, headers);
  ex.response.end(ex.method === 'HEAD' ? undefined : Buffer.from(body));
}

/** The encodings the client accepts with q > 0 (`br`, `gzip`), from Accept-Encoding. */
export function acceptedEncodings(header: string | undefined): { br: boolean; gzip: boolean } {
  const out = { br: false, gzip: false };
  if (header === undefined) return out;
  let star: boolean | undefined;
  const seen = new Set<string>();
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const name = token.trim();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    const ok = q > 0;
    if (name === '*') star = ok;
    else if (name === 'br' || name === 'gzip' || name === 'x-gzip') {
      const key = name === 'br' ? 'br' : 'gzip';
      out[key] = ok;
      seen.add(key);
    }
  }
  if (star !== undefined) {
    if (!seen.has('br')) out.br = star;
    if (!seen.has('gzip')) out.gzip = star;
  }
  return out;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

function sendAsset(ex: Exchange, asset: Asset): void {
  const headers = new HeaderList([
    'Content-Type',
    asset.contentType,
    'Cache-Control',
    asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'ETag',
    asset.etag,
    'X-Content-Type-Options',
    'nosniff',
    'Referrer-Policy',
    'same-origin',
  ]);
  if (asset.contentType.startsWith('text/html')) headers.set('Content-Security-Policy', DASHBOARD_CSP);
  if (asset.gzip !== undefined || asset.brotli !== undefined) headers.set('Vary', 'Accept-Encoding');
  if (etagMatches(ex.headers.get('if-none-match'), asset.etag)) {
    ex.response.writeHead(304, headers);
    ex.response.end();
    return;
  }
  const enc = acceptedEncodings(ex.headers.get('accept-encoding'));
  let body = asset.body;
  if (enc.br && asset.brotli !== undefined) {
    body = asset.brotli;
    headers.set('Content-Encoding', 'br');
  } else if (enc.gzip && asset.gzip !== undefined) {
    body = asset.gzip;
    headers.set('Content-Encoding', 'gzip');
  }
  headers.set('Content-Length', String(body.length));
  ex.response.writeHead(200, headers);
  ex.response.end(ex.method === 'HEAD' ? undefined : body);
}

/** The file a path below `/dashboard/` names, or undefined (anything but one safe segment). */
export function assetNameOf(sub: string): string | undefined {
  if (sub === '') return 'index.html';
  let name: string;
  try {
    name = decodeURIComponent(sub);
  } catch {
    return undefined;
  }
  return name.includes('/') || !isSafeAssetName(name) ? undefined : name;
}

/**
 * Answers a dashboard request. `rel` is the request path below the API's basePath, with its
 * leading '/': `/` (redirect), `/dashboard` (redirect), `/dashboard/` and `/dashboard/<file>`;
 * `basePath` starts and ends with '/'. `dir` is where the built files are (tests).
 */
export async function serveDashboard(ex: Exchange, rel: string, basePath: string, dir: string = defaultAssetDir()): Promise<void> {
  if (ex.method !== 'GET' && ex.method !== 'HEAD') return text(ex, 405, 'Method Not Allowed\n', [['Allow', 'GET, HEAD']]);
  const home = `${forwardedPrefix(ex)}${basePath}dashboard/`;
  if (rel === '/' || rel === '/dashboard') return redirect(ex, home);
  if (!rel.startsWith('/dashboard/')) return text(ex, 404, '404 page not found\n');
  const name = assetNameOf(rel.slice('/dashboard/'.length));
  if (name === undefined) return text(ex, 404, '404 page not found\n');
  const assets = await assetsOf(dir);
  if (assets === undefined) return text(ex, 404, 'The dashboard is not built in this installation: run "npm run build" (the API is under ' + basePath + 'api/).\n');
  const asset = assets.get(name);
  if (asset === undefined) return text(ex, 404, '404 page not found\n');
  sendAsset(ex, asset);
}
