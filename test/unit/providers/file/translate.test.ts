import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SourceFile, translateFiles } from '../../../../src/providers/file/translate.js';

const lines = (l: string[]): string => l.join('\n') + '\n';

const GOOD_YAML = lines([
  'http:', //                                   1
  '  routers:', //                              2
  '    api:', //                                3
  '      rule: Host(`a.test`)', //              4
  '      service: svc', //                      5
  '  services:', //                             6
  '    svc:', //                                7
  '      loadBalancer:', //                     8
  '        servers:', //                        9
  '          - url: http://127.0.0.1:1', //     10
]);

void describe('translateFiles: line numbers', () => {
  void it('YAML: validation errors point at the key', () => {
    const text = lines([
      'http:', //                                   1
      '  services:', //                             2
      '    svc:', //                                3
      '      loadBalancer:', //                     4
      '        servers:', //                        5
      '          - url: http://a', //               6
      '          - url: http://b', //               7
      '            weight: heavy', //               8
    ]);
    const t = translateFiles([{ path: '/etc/tp/dyn.yml', text }]);
    const d = t.diagnostics[0];
    assert.equal(d?.code, 'TPK_CFG_INVALID_VALUE');
    assert.equal(d?.source, '/etc/tp/dyn.yml');
    assert.equal(d?.path, 'http.services.svc.loadBalancer.servers[1].weight');
    assert.equal(d?.line, 8);
    assert.equal(d?.column, 13);
  });

  void it('TOML: validation errors point at the key, array tables included', () => {
    const text = lines([
      '[http.routers.api]', //                                1
      '  rule = "Host(`a.test`)"', //                         2
      '  service = "svc"', //                                 3
      '  priority = "high"', //                               4
      '[[http.services.svc.loadBalancer.servers]]', //        5
      '  url = "http://a"', //                                6
      '[[http.services.svc.loadBalancer.servers]]', //        7
      '  url = "ftp://b"', //                                 8
    ]);
    const t = translateFiles([{ path: 'dyn.toml', text }]);
    const byPath = new Map(t.diagnostics.map((d) => [d.path, d]));
    assert.equal(byPath.get('http.routers.api.priority')?.line, 4);
    assert.equal(byPath.get('http.routers.api.priority')?.column, 3);
    assert.equal(byPath.get('http.services.svc.loadBalancer.servers[1].url')?.line, 8);
    assert.equal(t.origins.get('http.routers.api')?.line, 1);
    assert.deepEqual(Object.keys(t.config.http.routers), []);
  });

  void it('YAML and TOML of the same configuration give the same model', () => {
    const toml = lines([
      '[http.routers.api]',
      'rule = "Host(`a.test`)"',
      'service = "svc"',
      '[[http.services.svc.loadBalancer.servers]]',
      'url = "http://127.0.0.1:1"',
    ]);
    const a = translateFiles([{ path: 'a.yml', text: GOOD_YAML }]);
    const b = translateFiles([{ path: 'b.toml', text: toml }]);
    assert.deepEqual(a.config, b.config);
    assert.deepEqual(b.diagnostics, []);
  });
});

void describe('translateFiles: files that do not parse', () => {
  void it('YAML syntax error: one diagnostic with file:line:col and the reason', () => {
    const t = translateFiles([{ path: 'bad.yml', text: 'http:\n  routers:\n    a: [unclosed\n  services: {}\n' }]);
    assert.equal(t.diagnostics.length, 1);
    const d = t.diagnostics[0];
    assert.equal(d?.code, 'TPK_CFG_PARSE');
    assert.equal(d?.source, 'bad.yml');
    assert.equal(typeof d?.line, 'number');
    assert.equal(typeof d?.column, 'number');
    assert.match(d?.message ?? '', /^invalid YAML: .+; its objects are left out$/);
  });

  void it('YAML duplicate key is a parse error at its line', () => {
    const t = translateFiles([{ path: 'dup.yml', text: 'http:\n  routers: {}\n  routers: {}\n' }]);
    assert.equal(t.diagnostics[0]?.code, 'TPK_CFG_PARSE');
    assert.equal(t.diagnostics[0]?.line, 3);
  });

  void it('TOML syntax error: line and column from the parser', () => {
    const t = translateFiles([{ path: 'bad.toml', text: '[http.routers.a]\nrule = "x"\nservice = \n' }]);
    const d = t.diagnostics[0];
    assert.equal(d?.code, 'TPK_CFG_PARSE');
    assert.equal(d?.line, 3);
    assert.match(d?.message ?? '', /^invalid TOML: /);
  });

  void it('an unsupported extension is reported', () => {
    const t = translateFiles([{ path: 'dyn.ini', text: 'a=b' }]);
    assert.equal(t.diagnostics[0]?.code, 'TPK_CFG_PARSE');
    assert.match(t.diagnostics[0]?.message ?? '', /unsupported file extension/);
  });

  void it('in a directory, one broken file does not discard the others (traefik#10890)', () => {
    const files: SourceFile[] = [
      { path: 'dir/a.yml', text: GOOD_YAML },
      { path: 'dir/b.yml', text: 'http:\n  middlewares:\n    m: {addPrefix: {prefix: /x}\n' },
      { path: 'dir/c.toml', text: '[http.middlewares.strip.stripPrefix]\nprefixes = ["/s"]\n' },
    ];
    const t = translateFiles(files);
    assert.deepEqual(Object.keys(t.config.http.routers), ['api']);
    assert.deepEqual(Object.keys(t.config.http.middlewares), ['strip']);
    assert.deepEqual(t.diagnostics.map((d) => [d.code, d.source]), [['TPK_CFG_PARSE', 'dir/b.yml']]);
  });

  void it('keeps the last good version of a file that stops parsing, and says so', () => {
    const first = translateFiles([
      { path: 'dir/a.yml', text: GOOD_YAML },
      { path: 'dir/m.yml', text: 'http:\n  middlewares:\n    m: {addPrefix: {prefix: /x}}\n' },
    ]);
    assert.deepEqual(first.diagnostics, []);
    const second = translateFiles(
      [
        { path: 'dir/a.yml', text: GOOD_YAML },
        { path: 'dir/m.yml', text: 'http:\n  middlewares:\n    m: {addPrefix: {prefix: /y}\n' },
      ],
      first.cache,
    );
    assert.deepEqual(second.config.http.middlewares['m'], { kind: 'addPrefix', options: { prefix: '/x' } });
    assert.equal(second.diagnostics.length, 1);
    assert.equal(second.diagnostics[0]?.code, 'TPK_CFG_PARSE');
    assert.match(second.diagnostics[0]?.message ?? '', /keeping the last good version of this file$/);
    // Fixed again: the new version applies.
    const third = translateFiles([{ path: 'dir/m.yml', text: 'http:\n  middlewares:\n    m: {addPrefix: {prefix: /z}}\n' }], second.cache);
    assert.deepEqual(third.config.http.middlewares['m'], { kind: 'addPrefix', options: { prefix: '/z' } });
    assert.deepEqual(third.diagnostics, []);
  });

  void it('a file that cannot be read is kept at its last good version, else left out', () => {
    const first = translateFiles([{ path: 'dyn.yml', text: GOOD_YAML }]);
    const gone: SourceFile = { path: 'dyn.yml', error: { code: 'TPK_CFG_FILE_NOT_FOUND', message: 'file not found' } };
    const kept = translateFiles([gone], first.cache);
    assert.deepEqual(Object.keys(kept.config.http.routers), ['api']);
    assert.equal(kept.diagnostics[0]?.severity, 'warning');
    assert.match(kept.diagnostics[0]?.message ?? '', /keeping the last good version/);
    const never = translateFiles([gone]);
    assert.deepEqual(never.config.http.routers, {});
    assert.equal(never.diagnostics[0]?.code, 'TPK_CFG_FILE_NOT_FOUND');
    assert.equal(never.diagnostics[0]?.severity, 'warning');
  });

  void it('reuses the cached parse of an unchanged file', () => {
    const first = translateFiles([{ path: 'dyn.yml', text: GOOD_YAML }]);
    const second = translateFiles([{ path: 'dyn.yml', text: GOOD_YAML }], first.cache);
    assert.ok(first.cache.get('dyn.yml') !== undefined);
    assert.equal(second.cache.get('dyn.yml'), first.cache.get('dyn.yml'));
    assert.equal(second.config.http.routers['api'], first.config.http.routers['api']);
  });
});

void describe('translateFiles: names across files', () => {
  void it('the same name in two files is an error naming both files; the object is left out', () => {
    const t = translateFiles([
      { path: 'dir/b.yml', text: 'http:\n  middlewares:\n    m: {addPrefix: {prefix: /b}}\n' },
      { path: 'dir/a.yml', text: 'http:\n  middlewares:\n    keep: {addPrefix: {prefix: /k}}\n    m: {addPrefix: {prefix: /a}}\n' },
    ]);
    assert.deepEqual(Object.keys(t.config.http.middlewares), ['keep']);
    const d = t.diagnostics.find((x) => x.code === 'TPK_CFG_DUPLICATE_NAME');
    assert.ok(d);
    assert.equal(d.severity, 'error');
    assert.equal(d.object, 'm');
    assert.equal(d.path, 'http.middlewares.m');
    assert.equal(d.source, 'dir/b.yml');
    assert.equal(d.line, 3);
    assert.match(d.message, /dir\/a\.yml:4 and dir\/b\.yml:3/);
  });

  void it('a duplicate that is invalid in one file is still a duplicate', () => {
    const t = translateFiles([
      { path: 'a.yml', text: 'http:\n  routers:\n    r: {rule: "Path(`/`)", service: s}\n' },
      { path: 'b.yml', text: 'http:\n  routers:\n    r: {rule: "Path(`/`)"}\n' },
    ]);
    assert.deepEqual(t.config.http.routers, {});
    assert.ok(t.diagnostics.some((d) => d.code === 'TPK_CFG_DUPLICATE_NAME' && d.severity === 'error'));
  });

  void it('identical definitions in two files are a warning and apply once', () => {
    const text = 'http:\n  routers:\n    r: {rule: "Path(`/`)", service: s}\n';
    const t = translateFiles([
      { path: 'a.yml', text },
      { path: 'sub/a.yml', text },
    ]);
    assert.deepEqual(Object.keys(t.config.http.routers), ['r']);
    assert.deepEqual(t.diagnostics.map((d) => [d.code, d.severity]), [['TPK_CFG_DUPLICATE_NAME', 'warning']]);
  });

  void it('routers and services may share a name', () => {
    const t = translateFiles([{ path: 'a.yml', text: 'http:\n  routers:\n    x: {rule: "Path(`/`)", service: x}\n  services:\n    x: {loadBalancer: {}}\n' }]);
    assert.deepEqual(t.diagnostics, []);
    assert.ok(t.config.http.routers['x'] && t.config.http.services['x']);
  });
});

void describe('translateFiles: other', () => {
  void it('warns that Go templates are not supported', () => {
    const t = translateFiles([{ path: 'a.yml', text: 'http:\n  routers:\n    r: {rule: "Host(`{{ .Name }}`)", service: s}\n' }]);
    assert.deepEqual(t.diagnostics.map((d) => [d.code, d.severity]), [['TPK_CFG_UNSUPPORTED', 'warning']]);
  });

  void it('a .json filename is read as YAML (as Traefik)', () => {
    const t = translateFiles([{ path: 'a.json', text: '{"http": {"routers": {"r": {"rule": "Path(`/`)", "service": "s"}}}}' }]);
    assert.deepEqual(t.diagnostics, []);
    assert.ok(t.config.http.routers['r']);
  });

  void it('returns deeply frozen results', () => {
    const t = translateFiles([{ path: 'a.yml', text: GOOD_YAML }]);
    assert.ok(Object.isFrozen(t.config.http.routers['api']));
    assert.ok(Object.isFrozen(t.diagnostics));
  });
});
