/**
 * Traefik's rule for objects that are one of several kinds — a middleware's type, a service's kind: exactly
 * one must be given. None is MISSING_KEY (reported only while nothing else is wrong with the object), more
 * than one is MULTI_TYPES, worded as Traefik words it (`multi-types middleware not supported`).
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { Field, Fields, KeyPath, Scope } from './fields.js';

export interface KindWords {
  /** The object, as in "multi-types <object> not supported": `middleware`, `service`. */
  readonly object: string;
  /** What one of its kinds is called, as in "declare one <object> per <kind>": `type`, `kind`. */
  readonly kind: string;
  /** What an object without a kind lacks, as in "a <object> needs <needs>". */
  readonly needs: string;
}

/** The one kind among `kinds` (those present in `fields`) and its field; undefined, reported, otherwise. */
export function readOneKind<K extends string>(
  scope: Scope,
  fields: Fields,
  path: KeyPath,
  kinds: readonly K[],
  words: KindWords,
): { readonly kind: K; readonly field: Field } | undefined {
  if (kinds.length === 0) {
    if (scope.ok) scope.error(DYNAMIC_CODES.MISSING_KEY, path, `a ${words.object} needs ${words.needs}${scope.leftOut}`);
    return undefined;
  }
  if (kinds.length > 1) {
    const message = `multi-types ${words.object} not supported (${kinds.join(' and ')}): declare one ${words.object} per ${words.kind}`;
    scope.error(DYNAMIC_CODES.MULTI_TYPES, path, `${message}${scope.leftOut}`);
    return undefined;
  }
  const kind = kinds[0];
  const field = kind === undefined ? undefined : fields.get(kind);
  return kind === undefined || field === undefined ? undefined : { kind, field };
}
