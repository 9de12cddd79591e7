/**
 * Diagnostic codes raised while reading dynamic (routing) configuration. Stable: tests and users
 * match on them. A retired code is never reused.
 */
export const DYNAMIC_CODES = {
  /** A file is not valid YAML/TOML (or has an extension we cannot read). */
  PARSE: 'TPK_CFG_PARSE',
  /** A key Traefik does not have (typo, removed option); the message suggests the closest one. */
  UNKNOWN_KEY: 'TPK_CFG_UNKNOWN_KEY',
  /** A Traefik option or section Turnpike does not implement yet. */
  UNSUPPORTED: 'TPK_CFG_UNSUPPORTED',
  /** A deprecated Traefik option, read (or ignored, as Traefik v3 does) with a warning naming what replaces it. */
  DEPRECATED: 'TPK_CFG_DEPRECATED',
  /** A value of the wrong type or out of range; the message says what was expected. */
  INVALID_VALUE: 'TPK_CFG_INVALID_VALUE',
  /** A required key is absent (router rule/service, server url, a service or middleware kind). */
  MISSING_KEY: 'TPK_CFG_MISSING_KEY',
  /** A service or middleware declares more than one kind (`multi-types middleware not supported`). */
  MULTI_TYPES: 'TPK_CFG_MULTI_TYPES',
  /** The same key written twice with different letter case, e.g. `rule` and `Rule`. */
  DUPLICATE_KEY: 'TPK_CFG_DUPLICATE_KEY',
  /** An object name that cannot be used (contains `@`, or empty). */
  INVALID_NAME: 'TPK_CFG_INVALID_NAME',
  /** The same object name is defined by two files of one provider. */
  DUPLICATE_NAME: 'TPK_CFG_DUPLICATE_NAME',
  /** A configured file or directory does not exist (warning: Traefik starts anyway). */
  FILE_NOT_FOUND: 'TPK_CFG_FILE_NOT_FOUND',
  /**
   * A file that declared objects is now empty (or only comments), as while an editor or a shell
   * redirect truncates it before writing: warning, its last good version is kept.
   */
  EMPTY_FILE: 'TPK_CFG_EMPTY_FILE',
  /** A file or directory could not be read or watched. */
  FILE_READ: 'TPK_CFG_FILE_READ',
  /** The provider is not configured usably (e.g. neither filename nor directory). */
  PROVIDER_CONFIG: 'TPK_CFG_PROVIDER',
} as const;

export type DynamicCode = (typeof DYNAMIC_CODES)[keyof typeof DYNAMIC_CODES];
