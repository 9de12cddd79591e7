/**
 * Diagnostic codes raised while building the TLS state (certificate store, TLS options) and by the
 * routers' TLS settings. Stable: tests and users match on them; a retired code is never reused.
 */
export const TLS_CODES = {
  /** A certificate or key cannot be read, does not parse, or the key does not match: left out. */
  CERTIFICATE: 'TPK_CFG_TLS_CERTIFICATE',
  /** A `clientAuth.caFiles` entry cannot be read or does not parse: those options refuse every connection. */
  CA_FILE: 'TPK_CFG_TLS_CA_FILE',
  /** TLS options that OpenSSL refuses (no usable cipher suite or curve): connections using them are refused. */
  OPTIONS: 'TPK_CFG_TLS_OPTIONS',
  /** A router names TLS options that do not exist (`unknown TLS options: <name>`): the router is disabled. */
  UNKNOWN_OPTIONS: 'TPK_CFG_UNKNOWN_TLS_OPTIONS',
  /** Routers on one host name different TLS options: the `default` options serve that host (warning). */
  OPTIONS_CONFLICT: 'TPK_CFG_TLS_OPTIONS_CONFLICT',
} as const;
