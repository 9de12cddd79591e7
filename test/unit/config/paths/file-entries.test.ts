import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlatEntry } from '../../../../src/config/paths/decode.js';
import { locateTomlKeys, tomlPathKey } from '../../../../src/config/paths/toml-positions.js';
import { tomlEntries } from '../../../../src/config/paths/toml-entries.js';
import { yamlEntries } from '../../../../src/config/paths/yaml-entries.js';

/** [joined segments, value, line of the last segment] */
function summary(entries: readonly FlatEntry[]): [string, FlatEntry['value'], number | undefined][] {
  return entries.map((e) => [e.segments.join('.'), e.value, e.positions?.at(-1)?.line]);
}

void describe('yamlEntries', () => {
  void it('flattens maps, lists, empty sections and aliases with key positions', () => {
    const text = [
      'base: &b',
      '  watch: false',
      'entryPoints:',
      '  web:',
      '    address: ":80"',
      '    port: 8080',
      '    http:',
      '      middlewares: [a, b]',
      '      tls:',
      '        domains:',
      '          - main: x.example',
      '            sans:',
      '              - y.example',
      'api: {}',
      'ping:',
      'providers:',
      '    file:',
      '      <<: *b',
      '      filename: /d.yml',
    ].join('\n');
    const r = yamlEntries(text, 'a.yml');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(summary(r.entries), [
      ['base.watch', 'false', 2],
      ['entryPoints.web.address', ':80', 5],
      ['entryPoints.web.port', '8080', 6],
      ['entryPoints.web.http.middlewares', ['a', 'b'], 8],
      ['entryPoints.web.http.tls.domains.[0].main', 'x.example', 11],
      ['entryPoints.web.http.tls.domains.[0].sans', ['y.example'], 12],
      ['api', null, 14],
      ['ping', null, 15],
      ['providers.file.watch', 'false', 2],
      ['providers.file.filename', '/d.yml', 19],
    ]);
    assert.deepEqual(r.entries[1]?.positions?.[2], { line: 5, column: 5 });
  });

  void it('reports syntax errors with their line', () => {
    const r = yamlEntries('a: 1\nb: 2\na: 3\n', 'bad.yml');
    assert.equal(r.diagnostics[0]?.code, 'TPK_CFG_PARSE');
    assert.equal(r.diagnostics[0]?.line, 3);
    assert.equal(r.diagnostics[0]?.source, 'bad.yml');
  });

  void it('rejects a document that is not a mapping; an empty one is no configuration', () => {
    assert.equal(yamlEntries('- a\n- b\n', 'l.yml').diagnostics[0]?.code, 'TPK_CFG_TYPE');
    assert.deepEqual(yamlEntries('# nothing\n', 'e.yml'), { entries: [], diagnostics: [] });
  });
});

void describe('tomlEntries', () => {
  void it('flattens tables, arrays of tables and inline tables with key positions', () => {
    const text = [
      '# comment',
      '[entryPoints.web]',
      '  address = ":80" # trailing',
      '  [entryPoints.web.http]',
      '    middlewares = [',
      '      "a",',
      '      "b",',
      '    ]',
      '  [[entryPoints.web.http.tls.domains]]',
      '    main = "x.example"',
      '  [[entryPoints.web.http.tls.domains]]',
      '    main = "y.example"',
      '',
      '[providers]',
      '  file = { filename = "/d.yml", watch = false }',
      '  "quoted.key".x = """multi',
      'line = 1',
      '"""',
      '[api]',
    ].join('\n');
    const r = tomlEntries(text, 'a.toml');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(summary(r.entries), [
      ['entryPoints.web.address', ':80', 3],
      ['entryPoints.web.http.middlewares', ['a', 'b'], 5],
      ['entryPoints.web.http.tls.domains.[0].main', 'x.example', 10],
      ['entryPoints.web.http.tls.domains.[1].main', 'y.example', 12],
      ['providers.file.filename', '/d.yml', 15],
      ['providers.file.watch', 'false', 15],
      ['providers.quoted.key.x', 'multi\nline = 1\n', 16],
      ['api', null, 19],
    ]);
    assert.deepEqual(r.entries[0]?.positions, [{ line: 2, column: 2 }, { line: 2, column: 14 }, { line: 3, column: 3 }]);
    assert.equal(r.entries[4]?.positions?.[2]?.column, 12);
  });

  void it('reports syntax errors with their line', () => {
    const r = tomlEntries('a = 1\nb = = 2\n', 'bad.toml');
    assert.equal(r.diagnostics[0]?.code, 'TPK_CFG_PARSE');
    assert.equal(r.diagnostics[0]?.line, 2);
  });

  void it('reads integers beyond the safe range', () => {
    const r = tomlEntries('p = 9223372036854775806\n', 'big.toml');
    assert.deepEqual(summary(r.entries), [['p', '9223372036854775806', 1]]);
  });

  void it('places quoted keys written with escapes', () => {
    const r = tomlEntries('"caf\\u00e9" = 1\n[t]\n"a\\tb" = 2\n', 'esc.toml');
    assert.deepEqual(summary(r.entries), [
      ['café', '1', 1],
      ['t.a\tb', '2', 3],
    ]);
  });

  void it('the locator never throws and keeps what it found on text it cannot follow', () => {
    const positions = locateTomlKeys('a = 1\n= oops\n');
    assert.deepEqual(positions.get(tomlPathKey(['a'])), { line: 1, column: 1 });
  });
});
