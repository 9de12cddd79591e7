/**
 * Environment variables as a configuration source: `TRAEFIK_` or `TURNPIKE_` prefix, path segments joined by
 * `_`, upper case (`TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80`). Like Traefik, only variables whose first segment
 * is a top-level option count (so `TRAEFIK_VERSION` set by an image is not configuration), and names are
 * read in lower case (entry point `WEB` is `web`). Where both prefixes set the same key, `TURNPIKE_` wins.
 */
import { segmentsFromUnderscored, type FlatEntry } from '../paths/index.js';
import { STATIC_SCHEMA } from './schema.js';
import { KNOWN_TOP_LEVEL_KEYS } from './traefik-keys.js';

export const ENV_PREFIXES = ['TRAEFIK_', 'TURNPIKE_'] as const;

const schemaTopLevel = new Set(Object.keys(STATIC_SCHEMA.fields).map((k) => k.toLowerCase()));

/** The configuration entries found in `env`, TRAEFIK_ ones first. */
export function envEntries(env: NodeJS.ProcessEnv): FlatEntry[] {
  const entries: FlatEntry[] = [];
  for (const prefix of ENV_PREFIXES) {
    const names = Object.keys(env)
      .filter((name) => name.startsWith(prefix) && name.length > prefix.length)
      .sort();
    for (const name of names) {
      const value = env[name];
      if (value === undefined) continue;
      const tokens = name.slice(prefix.length).toLowerCase().split('_');
      const first = tokens[0] ?? '';
      if (!schemaTopLevel.has(first) && !KNOWN_TOP_LEVEL_KEYS.has(first)) continue;
      entries.push({ segments: segmentsFromUnderscored(STATIC_SCHEMA, tokens), value, origin: `env ${name}` });
    }
  }
  return entries;
}
