/**
 * `api`: Traefik's API (and, later, its dashboard), in Traefik's spelling and with its defaults.
 * Off unless the section is present. With `insecure` the API is routed on the entry point
 * `traefik` (created on :8080 when undefined, as for ping); otherwise nothing is exposed until a
 * router names the `api@internal` service.
 */
import type { DecodeResult } from '../../paths/index.js';
import { bool, section, str } from '../../paths/schema.js';
import { subtree, flag } from '../tree.js';

export interface ApiConfig {
  /** Serve the API on the entry point `traefik` without a router of one's own. Default false. */
  readonly insecure: boolean;
  /** Serve the web dashboard at `<basePath>dashboard/`. Default true. */
  readonly dashboard: boolean;
  /** Serve the debug endpoints (`/debug/vars`). Default false. */
  readonly debug: boolean;
  /** Path prefix of every API and dashboard path; always starts and ends with '/'. Default '/'. */
  readonly basePath: string;
  /** Shown by /api/version. Default false. */
  readonly disableDashboardAd: boolean;
  /** Shown by /api/version when set. */
  readonly dashboardName: string | undefined;
}

function checkBasePath(value: string): string | undefined {
  return value.startsWith('/') ? undefined : 'a path starting with "/", e.g. "/traefik"';
}

export const apiSection = section(
  {
    insecure: bool({ doc: 'Serve the API on the entry point "traefik" (:8080) without a router', default: 'false' }),
    dashboard: bool({ doc: 'Serve the web dashboard at <basePath>dashboard/', default: 'true' }),
    debug: bool({ doc: 'Serve the debug endpoints (/debug/vars)', default: 'false' }),
    basePath: str({ doc: 'Path prefix of the API and dashboard', default: '/', check: checkBasePath }),
    disableDashboardAd: bool({ doc: 'Disable the advertisement in the dashboard', default: 'false' }),
    dashboardName: str({ doc: 'Name shown by the dashboard and /api/version' }),
  },
  { doc: 'Enable the API (routed by a router to api@internal, or on entry point "traefik" with insecure)' },
);

/** `/x` and `/x/` both become `/x/`; `/` stays. */
function normaliseBasePath(value: string | undefined): string {
  if (value === undefined || value === '') return '/';
  return value.endsWith('/') ? value : `${value}/`;
}

/** The model of `api`, or undefined when the section is absent (`--api` alone turns it on). */
export function buildApi(decoded: DecodeResult): ApiConfig | undefined {
  const root = decoded.value;
  if (!Object.hasOwn(root, 'api')) return undefined;
  const tree = subtree(root, 'api');
  const basePath = tree?.['basePath'];
  const name = tree?.['dashboardName'];
  return {
    insecure: flag(tree, 'insecure', false),
    dashboard: flag(tree, 'dashboard', true),
    debug: flag(tree, 'debug', false),
    basePath: normaliseBasePath(typeof basePath === 'string' ? basePath : undefined),
    disableDashboardAd: flag(tree, 'disableDashboardAd', false),
    dashboardName: typeof name === 'string' && name !== '' ? name : undefined,
  };
}

/** `{ api }` for StaticConfig, or `{}` when the section is absent. */
export function apiField(decoded: DecodeResult): { readonly api?: ApiConfig } {
  const api = buildApi(decoded);
  return api === undefined ? {} : { api };
}
