/**
 * Diagnostic codes of static (install) configuration loading. Tests assert codes, not messages; retired
 * codes are never reused. The key decoder's own codes (unknown key, unsupported, type, value) are included.
 */
import { DECODE_CODES } from '../paths/codes.js';

export const STATIC_CODES = {
  ...DECODE_CODES,
  /** The configuration file could not be found or read, or has an extension we cannot parse. */
  file: 'TPK_CFG_FILE',
  /** A command-line argument is malformed (no value for a flag that needs one, stray argument). */
  flag: 'TPK_CFG_FLAG',
  /** A required option is missing (an entry point's address, the file provider's filename/directory). */
  required: 'TPK_CFG_REQUIRED',
  /** Options that cannot be used together (providers.file.filename and .directory). */
  conflict: 'TPK_CFG_CONFLICT',
  /** A reference to something that does not exist (a redirection to an undefined entry point). */
  reference: 'TPK_CFG_REFERENCE',
  /** Warning: a source was ignored because another one wins (file > flags > env; they are never merged). */
  sourceIgnored: 'TPK_CFG_SOURCE_IGNORED',
} as const;

export type StaticCode = (typeof STATIC_CODES)[keyof typeof STATIC_CODES];
