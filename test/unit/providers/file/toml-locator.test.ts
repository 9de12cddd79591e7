import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'smol-toml';
import { createTomlLocator } from '../../../../src/providers/file/toml-locator.js';

const TOML = [
  '# comment line', //                                     1
  '[http.routers.api]', //                                 2
  '  rule = "Host(`a.test`)"  # trailing', //              3
  '  entryPoints = ["web",', //                            4
  '    "websecure"]', //                                   5
  '  "quoted.key" = 1', //                                 6
  "  literal = '''", //                                    7
  '[not.a.table]', //                                      8 (inside a multi-line string)
  "'''", //                                                9
  '[[http.services.svc.loadBalancer.servers]]', //       10
  '  url = "http://a"', //                               11
  '[[http.services.svc.loadBalancer.servers]]', //       12
  '  url = "http://b"', //                               13
  '  weight = 2', //                                     14
  '[http.services.other.loadBalancer]', //               15
  '  servers = [', //                                    16
  '    { url = "http://c" },', //                        17
  '    # a comment inside an array', //                  18
  '    { url = "http://d", weight = 3 },', //            19
  '  ]', //                                              20
  'extra.dotted.key = "/x"', //                          21
  '[ http . routers . "with.dot" ]', //                  22
  'service = """', //                                    23
  'line "two" \\', //                                    24
  '"""', //                                              25
  'rule = "Path(`/`)"', //                               26
].join('\n');

void describe('createTomlLocator', () => {
  void it('parses the fixture (it is valid TOML)', () => {
    const raw = parse(TOML) as Record<string, unknown>;
    assert.ok(raw['http']);
  });

  const locate = createTomlLocator(TOML);
  const cases: { desc: string; path: (string | number)[]; line: number; column?: number }[] = [
    { desc: 'table header', path: ['http', 'routers', 'api'], line: 2, column: 1 },
    { desc: 'key in a table', path: ['http', 'routers', 'api', 'rule'], line: 3, column: 3 },
    { desc: 'item of a multi-line array', path: ['http', 'routers', 'api', 'entryPoints', 1], line: 5 },
    { desc: 'quoted key is unquoted', path: ['http', 'routers', 'api', 'quoted.key'], line: 6 },
    { desc: 'text inside a multi-line string is not a header', path: ['not'], line: 0 },
    { desc: 'first array table entry', path: ['http', 'services', 'svc', 'loadBalancer', 'servers', 0, 'url'], line: 11 },
    { desc: 'second array table entry', path: ['http', 'services', 'svc', 'loadBalancer', 'servers', 1, 'weight'], line: 14 },
    { desc: 'array table header itself', path: ['http', 'services', 'svc', 'loadBalancer', 'servers', 1], line: 12 },
    { desc: 'inline table in an array', path: ['http', 'services', 'other', 'loadBalancer', 'servers', 1, 'weight'], line: 19 },
    { desc: 'inline table key', path: ['http', 'services', 'other', 'loadBalancer', 'servers', 0, 'url'], line: 17 },
    { desc: 'dotted key in a table', path: ['http', 'services', 'other', 'loadBalancer', 'extra', 'dotted', 'key'], line: 21 },
    { desc: 'dotted key places its prefix', path: ['http', 'services', 'other', 'loadBalancer', 'extra'], line: 21 },
    { desc: 'quoted segment with a dot, spaces around dots', path: ['http', 'routers', 'with.dot', 'service'], line: 23 },
    { desc: 'key after a multi-line basic string', path: ['http', 'routers', 'with.dot', 'rule'], line: 26 },
    { desc: 'unknown child falls back to the closest ancestor', path: ['http', 'routers', 'api', 'nope', 'deeper'], line: 2 },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const at = locate(c.path);
      if (c.line === 0) {
        assert.equal(at, undefined);
        return;
      }
      assert.equal(at?.line, c.line);
      if (c.column !== undefined) assert.equal(at?.column, c.column);
    });
  }

  void it('dotted keys at the root, before any table', () => {
    const l = createTomlLocator('# x\nhttp.middlewares.m.addPrefix.prefix = "/x"\n[http.routers.r]\nrule = "a"\n');
    assert.equal(l(['http', 'middlewares', 'm', 'addPrefix', 'prefix'])?.line, 2);
    assert.equal(l(['http', 'middlewares', 'm'])?.line, 2);
    assert.equal(l(['http', 'routers', 'r', 'rule'])?.line, 4);
  });

  void it('handles CRLF line endings', () => {
    const l = createTomlLocator('[a]\r\nb = 1\r\n[c]\r\nd = 2\r\n');
    assert.equal(l(['c', 'd'])?.line, 4);
  });
});
