/**
 * Underscore-joined key names (environment variables: `TRAEFIK_ENTRYPOINTS_WEB_ADDRESS`) back into path
 * segments. Schema keys never contain `_`, so the split is guided by the schema: a map name takes as few
 * tokens as let the rest of the name match the schema (`ENTRYPOINTS_MY_EP_ADDRESS` -> entry point `my_ep`).
 * Names the schema cannot place are split at every `_`, which is what Traefik does.
 */
import { findField, type SchemaNode } from './schema.js';

function resolve(node: SchemaNode, tokens: readonly string[], i: number): string[] | undefined {
  if (i === tokens.length) return [];
  const token = tokens[i] ?? '';
  switch (node.kind) {
    case 'section': {
      const field = findField(node, token);
      if (!field) return undefined;
      const rest = resolve(field[1], tokens, i + 1);
      return rest && [token, ...rest];
    }
    case 'map':
      for (let j = i + 1; j <= tokens.length; j++) {
        const rest = resolve(node.of, tokens, j);
        if (rest) return [tokens.slice(i, j).join('_'), ...rest];
      }
      return undefined;
    case 'list': {
      if (node.of.kind !== 'section' || !/^\d+$/.test(token)) return undefined;
      const rest = resolve(node.of, tokens, i + 1);
      return rest && [`[${token}]`, ...rest];
    }
    case 'scalar':
      return undefined;
  }
}

/** Splits `tokens` (the name's `_`-separated parts, prefix removed) into key path segments. */
export function segmentsFromUnderscored(schema: SchemaNode, tokens: readonly string[]): string[] {
  return resolve(schema, tokens, 0) ?? [...tokens];
}
