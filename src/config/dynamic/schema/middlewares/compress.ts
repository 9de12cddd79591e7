/**
 * `http.middlewares.<name>.compress`: Traefik v3's compress options, checked the way Traefik checks
 * them when it builds the middleware (mutually exclusive content type lists, known encodings, a
 * default encoding among them), so a bad option is reported at configuration time.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type KeyPath, type Scope, readFields, readInt, readSection, readString, readStringList } from '../fields.js';
import { parseMediaType } from './media-type.js';

/** Encodings Traefik knows, in its default preference order. */
export const COMPRESS_ENCODINGS = ['gzip', 'br', 'zstd'] as const;
export type CompressEncoding = (typeof COMPRESS_ENCODINGS)[number];

/** Traefik's default `minResponseBodyBytes`. */
export const DEFAULT_MIN_RESPONSE_BODY_BYTES = 1024;

export interface CompressOptions {
  /** Encodings offered, most preferred first (ties between equal q-values go to the earlier one). */
  readonly encodings: readonly CompressEncoding[];
  /** Used when the request has no Accept-Encoding, or when `*` wins; '' = none. */
  readonly defaultEncoding: CompressEncoding | '';
  /** Lower-cased media types never compressed (parameters dropped, as Traefik does). */
  readonly excludedContentTypes: readonly string[];
  /** When not empty, only these media types are compressed. */
  readonly includedContentTypes: readonly string[];
  /** Bodies shorter than this are sent as they are (Traefik: 0 or less means the default, 1024). */
  readonly minResponseBodyBytes: number;
}

const ZSTD_MISSING = 'zstd is not available in the zlib of Node.js 20: Turnpike never answers with zstd';

/** Labels write `compress=true` for a compress middleware with default options. */
export function readCompress(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const section = readSection(scope, f);
  if (section === undefined) return undefined;
  if (section === false) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a mapping of options (or true), got false${scope.leftOut}`);
    return undefined;
  }
  const fields = readFields(scope, section, f.path, {
    supported: ['encodings', 'defaultEncoding', 'excludedContentTypes', 'includedContentTypes', 'minResponseBodyBytes'],
  });
  if (fields === undefined) return undefined;

  const excludedContentTypes = readMediaTypes(scope, fields.get('excludedContentTypes'));
  const includedContentTypes = readMediaTypes(scope, fields.get('includedContentTypes'));
  if (excludedContentTypes.length > 0 && includedContentTypes.length > 0) {
    scope.error(
      DYNAMIC_CODES.INVALID_VALUE,
      f.path,
      `excludedContentTypes and includedContentTypes options are mutually exclusive; keep one of them${scope.leftOut}`,
    );
  }

  const encField = fields.get('encodings');
  const encodings = readEncodings(scope, encField, f.path);
  const defField = fields.get('defaultEncoding');
  const defaultText = readString(scope, defField) ?? '';
  let defaultEncoding: CompressEncoding | '' = '';
  if (defaultText !== '' && defField !== undefined) {
    if (encodings !== undefined && !encodings.includes(defaultText as CompressEncoding)) {
      scope.error(
        DYNAMIC_CODES.INVALID_VALUE,
        defField.path,
        `unsupported default encoding "${defaultText}": it must be one of the encodings (${(encodings ?? []).join(', ')})${scope.leftOut}`,
      );
    } else {
      defaultEncoding = defaultText as CompressEncoding;
      if (defaultEncoding === 'zstd') scope.warn(DYNAMIC_CODES.UNSUPPORTED, defField.path, `${ZSTD_MISSING}; "*" picks the first other encoding`);
    }
  }

  const min = readInt(scope, fields.get('minResponseBodyBytes'));
  if (!scope.ok || encodings === undefined) return undefined;
  return {
    kind: 'compress',
    options: {
      encodings,
      defaultEncoding,
      excludedContentTypes,
      includedContentTypes,
      minResponseBodyBytes: min !== undefined && min > 0 ? min : DEFAULT_MIN_RESPONSE_BODY_BYTES,
    },
  };
}

function readEncodings(scope: Scope, f: Field | undefined, parent: KeyPath): CompressEncoding[] | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return [...COMPRESS_ENCODINGS];
  const list = readStringList(scope, f);
  if (list === undefined) return undefined;
  if (list.length === 0) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `at least one encoding must be specified (gzip, br, zstd)${scope.leftOut}`);
    return undefined;
  }
  const out: CompressEncoding[] = [];
  list.forEach((name, i) => {
    if ((COMPRESS_ENCODINGS as readonly string[]).includes(name)) out.push(name as CompressEncoding);
    else scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, i], `unsupported encoding "${name}"; expected gzip, br or zstd${scope.leftOut}`);
  });
  if (out.length !== list.length) return undefined;
  if (out.includes('zstd')) {
    const others = out.some((e) => e !== 'zstd');
    scope.warn(DYNAMIC_CODES.UNSUPPORTED, f.path, others ? `${ZSTD_MISSING}; the other encodings are negotiated as usual` : `${ZSTD_MISSING}; with only zstd listed, ${formatParent(parent)} never compresses`);
  }
  return out;
}

function formatParent(path: KeyPath): string {
  const name = path[path.length - 2];
  return typeof name === 'string' ? `middleware "${name}"` : 'this middleware';
}

function readMediaTypes(scope: Scope, f: Field | undefined): string[] {
  const list = readStringList(scope, f);
  if (list === undefined || f === undefined) return [];
  const out: string[] = [];
  list.forEach((text, i) => {
    const type = parseMediaType(text);
    if (type === null) {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, i], `"${text}" is not a media type such as text/html or application/json${scope.leftOut}`);
    } else out.push(type);
  });
  return out;
}
