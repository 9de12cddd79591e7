/** Flat key paths <-> objects: the decoder shared by CLI flags, env vars, labels, KV keys and files. */
export { DECODE_CODES, type DecodeCode } from './codes.js';
export {
  decodeFlat,
  type DecodeOptions,
  type DecodeResult,
  type FlatEntry,
  type FlatValue,
  type Location,
  type Position,
  type UnknownKeyPolicy,
} from './decode.js';
export { formatDuration, parseDuration, type DurationOptions } from './duration.js';
export { formatKeyPath, indexOf, lookupPath, normalizeSegments, type PathLookup } from './key-path.js';
export { expectedText, parseScalar, splitList, type ScalarResult, type ScalarValue } from './scalars.js';
export {
  bool,
  compileSchema,
  duration,
  findField,
  int,
  listOf,
  mapOf,
  num,
  section,
  str,
  takesNoValue,
  type Documented,
  type ListSchema,
  type MapSchema,
  type ScalarSchema,
  type ScalarType,
  type SchemaNode,
  type SectionSchema,
} from './schema.js';
export { closest, LOOSE_TYPOS, STRICT_TYPOS, type TypoPolicy } from './suggest.js';
export { segmentsFromUnderscored } from './underscored.js';
