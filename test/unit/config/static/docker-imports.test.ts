/**
 * Every static configuration load reads src/config/static/sections/docker.ts (the schema of
 * providers.docker), Docker configured or not: it must not pull in the label translation (dynamic
 * validator, label schema, rule compiler...), only the two small compilers it checks values with.
 * Checked on the compiled module graph (relative static imports).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../src');

function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s(?:[^;]*?\sfrom\s)?'(\.{1,2}\/[^']+)'/gm)) todo.push(resolve(dirname(file), m[1] ?? ''));
  }
  return new Set([...seen].map((f) => relative(SRC, f)));
}

void it('the providers.docker section imports the defaultRule and constraints compilers, not the translation', () => {
  const graph = staticGraph(resolve(SRC, 'config/static/sections/docker.js'));
  assert.ok(graph.has('providers/docker/default-rule.js') && graph.has('providers/docker/constraints.js'), [...graph].join(', '));
  for (const heavy of ['providers/docker/translate.js', 'providers/docker/build-container.js', 'config/dynamic/validate.js', 'config/dynamic/flat-schema.generated.js']) {
    assert.ok(!graph.has(heavy), `${heavy} is loaded with the static configuration`);
  }
});
