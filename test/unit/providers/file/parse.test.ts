import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';

void describe('parseDynamicFile (YAML)', () => {
  const cases = [
    { desc: 'repeated key in a block map', text: 'http:\n  routers:\n    a: {}\n    b: {}\n    a: {}\n', line: 5, column: 5 },
    { desc: 'repeated key in a flow map', text: 'x: {a: 1, b: 2, a: 3}\n', line: 1, column: 17 },
    { desc: 'first of two repeats, nested map first', text: 'p:\n  q: 1\n  q: 2\nr: 1\nr: 2\n', line: 3, column: 3 },
  ];
  for (const c of cases) {
    void it(`reports ${c.desc} at the repeated key`, () => {
      const r = parseDynamicFile('/d.yml', c.text);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.diagnostic.message, 'invalid YAML: Map keys must be unique');
      assert.equal(r.diagnostic.line, c.line);
      assert.equal(r.diagnostic.column, c.column);
    });
  }

  void it('locates keys of a large map (indexed) and after the document was dropped', async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `    r${i}:\n      rule: "Host(\`h${i}\`)"\n`).join('');
    const r = parseDynamicFile('/d.yml', `http:\n  routers:\n${names}`);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.locate(['http', 'routers', 'r1500'])?.line, 3 + 2 * 1500);
    assert.equal(r.locate(['http', 'routers', 'r1500', 'rule'])?.line, 4 + 2 * 1500);
    assert.equal(r.locate(['http', 'routers', 'nope'])?.line, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(r.locate(['http', 'routers', 'r7'])?.line, 3 + 2 * 7);
  });
});
