/** Diagnostic codes raised while decoding keys against a schema (tests assert these, not messages). */
export const DECODE_CODES = {
  /** A key the schema does not know, and not an option of the wider Traefik language either. */
  unknownKey: 'TPK_CFG_UNKNOWN_KEY',
  /** A Traefik option that Turnpike does not implement yet. */
  unsupported: 'TPK_CFG_UNSUPPORTED',
  /** The wrong shape: a value where a section was expected, a list where a single value was, ... */
  type: 'TPK_CFG_TYPE',
  /** A value that does not parse or is out of range (bad duration, boolean, number, address, choice). */
  value: 'TPK_CFG_VALUE',
  /** A file that is not valid YAML/TOML. */
  parse: 'TPK_CFG_PARSE',
} as const;

export type DecodeCode = (typeof DECODE_CODES)[keyof typeof DECODE_CODES];
