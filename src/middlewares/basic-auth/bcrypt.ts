/**
 * bcrypt verification through the `bcryptjs` package (pure JavaScript, asynchronous: it yields to
 * the event loop between rounds). The package is loaded on first use; when it is not installed,
 * `loadBcrypt()` returns null and a basicAuth middleware holding a bcrypt hash refuses to build
 * (better than a user who can never log in without a word).
 */
import { createRequire } from 'node:module';

export interface BcryptVerifier {
  /** Whether `password` matches `hash` ($2a$/$2b$/$2x$/$2y$); false for a malformed hash. */
  compare(password: string, hash: string): Promise<boolean>;
}

type CompareFn = (password: string, hash: string) => Promise<boolean>;

let loaded: BcryptVerifier | null | undefined;

/** The bcrypt verifier, or null when `bcryptjs` cannot be loaded. Loaded once per process. */
export function loadBcrypt(): BcryptVerifier | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const mod: unknown = createRequire(import.meta.url)('bcryptjs');
    const compare = isObject(mod) ? mod['compare'] : undefined;
    if (typeof compare === 'function') {
      const fn = compare as CompareFn;
      loaded = {
        async compare(password: string, hash: string): Promise<boolean> {
          // Go's bcrypt treats the four prefixes alike (they differ only for 8-bit passwords
          // in old C implementations); bcryptjs knows $2a$/$2b$/$2y$, so verify as $2a$.
          const normalised = '$2a$' + hash.slice(4);
          try {
            return (await fn(password, normalised)) === true;
          } catch {
            return false;
          }
        },
      };
    }
  } catch {
    loaded = null;
  }
  return loaded;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}
