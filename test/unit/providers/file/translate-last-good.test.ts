/**
 * Hot reload without loss, the pure half: a file caught empty mid-save and an object that stops
 * validating keep their last good / last valid version (translateFiles with the FileCache).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FileCache, type FileTranslation, type SourceFile, translateFiles } from '../../../../src/providers/file/translate.js';

const lines = (l: string[]): string => l.join('\n') + '\n';

/** Translates each state in turn, passing the cache along, as the watcher does. */
function run(states: readonly (readonly SourceFile[])[]): FileTranslation[] {
  let cache: FileCache = new Map();
  return states.map((files) => {
    const t = translateFiles(files, cache);
    cache = t.cache;
    return t;
  });
}

const one = (path: string, text: string): SourceFile[] => [{ path, text }];
const routerNames = (t: FileTranslation | undefined): string[] => Object.keys(t?.config.http.routers ?? {});
const codes = (t: FileTranslation | undefined): string[][] => (t?.diagnostics ?? []).map((d) => [d.code, d.severity]);

const ROUTES = lines([
  'http:', //                                  1
  '  routers:', //                             2
  '    api:', //                               3
  '      rule: Host(`a.test`)', //             4
  '      service: svc', //                     5
  '      priority: 1', //                      6
]);
const ROUTES_TOML = lines(['[http.routers.api]', 'rule = "Host(`a.test`)"', 'service = "svc"']);

void describe('translateFiles: a file that becomes empty keeps its last good version', () => {
  const cases: { desc: string; path?: string; before: string; after: string; kept: boolean }[] = [
    { desc: 'truncated to nothing', before: ROUTES, after: '', kept: true },
    { desc: 'whitespace only', before: ROUTES, after: '  \n\n\t\n', kept: true },
    { desc: 'YAML comments only (first line of a save in progress)', before: ROUTES, after: '# generated\n# do not edit\n', kept: true },
    { desc: 'a bare document marker', before: ROUTES, after: '---\n', kept: true },
    { desc: 'an empty mapping', before: ROUTES, after: '{}\n', kept: true },
    { desc: 'TOML comments only', path: 'dyn.toml', before: ROUTES_TOML, after: '# nothing yet\n', kept: true },
    { desc: 'TOML truncated to nothing', path: 'dyn.toml', before: ROUTES_TOML, after: '', kept: true },
    { desc: 'an explicit `http: {}` is applied: the way to remove every object', before: ROUTES, after: 'http: {}\n', kept: false },
    { desc: 'empty after a version that declared nothing: simply empty', before: 'http:\n  routers: {}\n', after: '', kept: false },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const path = c.path ?? 'dyn.yml';
      const [first, second, third] = run([one(path, c.before), one(path, c.after), one(path, c.before)]);
      assert.deepEqual(codes(second), c.kept ? [['TPK_CFG_EMPTY_FILE', 'warning']] : []);
      if (c.kept) {
        assert.deepEqual(second?.config, first?.config);
        assert.equal(second?.diagnostics[0]?.source, path);
        assert.match(second?.diagnostics[0]?.message ?? '', /keeping the last good version of this file/);
      } else {
        assert.deepEqual(routerNames(second), []);
      }
      // Content again: it applies, and the warning is gone.
      assert.deepEqual(third?.config, first?.config);
      assert.deepEqual(codes(third), []);
    });
  }

  void it('a file empty from the very start is simply empty, without a warning', () => {
    const [t] = run([one('dyn.yml', '')]);
    assert.deepEqual(routerNames(t), []);
    assert.deepEqual(t?.diagnostics, []);
  });

  void it('stays kept while it stays empty, also after a parse error', () => {
    const [first, ...rest] = run([one('dyn.yml', ROUTES), one('dyn.yml', ''), one('dyn.yml', 'http: [\n'), one('dyn.yml', '# x\n')]);
    for (const t of rest) assert.deepEqual(t.config, first?.config);
    assert.deepEqual(rest.map((t) => t.diagnostics[0]?.code), ['TPK_CFG_EMPTY_FILE', 'TPK_CFG_PARSE', 'TPK_CFG_EMPTY_FILE']);
  });

  void it('in a directory, only the emptied file is kept; a deleted file goes', () => {
    const b = 'http:\n  routers:\n    b: {rule: "Path(`/b`)", service: svc}\n';
    const [, emptied, deleted] = run([
      [
        { path: 'd/a.yml', text: ROUTES },
        { path: 'd/b.yml', text: b },
      ],
      [
        { path: 'd/a.yml', text: ROUTES },
        { path: 'd/b.yml', text: '' },
      ],
      [{ path: 'd/a.yml', text: ROUTES }],
    ]);
    assert.deepEqual(routerNames(emptied), ['api', 'b']);
    assert.deepEqual(routerNames(deleted), ['api']);
    assert.deepEqual(deleted?.diagnostics, []);
  });
});

/** ROUTES with line 6 replaced. */
const routesWith = (line6: string): string => ROUTES.replace('      priority: 1\n', `${line6}\n`);

void describe('translateFiles: an object that stops validating keeps its last valid version', () => {
  const cases: {
    desc: string;
    good: string;
    bad: string;
    collection: 'routers' | 'services' | 'middlewares' | 'serversTransports';
    name: string;
    code: string;
    line: number;
  }[] = [
    { desc: 'router: a misspelt key (priorty)', good: ROUTES, bad: routesWith('      priorty: 1'), collection: 'routers', name: 'api', code: 'TPK_CFG_UNKNOWN_KEY', line: 6 },
    { desc: 'router: a bad value', good: ROUTES, bad: routesWith('      priority: high'), collection: 'routers', name: 'api', code: 'TPK_CFG_INVALID_VALUE', line: 6 },
    { desc: 'router: a required key removed', good: ROUTES, bad: ROUTES.replace('      service: svc\n', ''), collection: 'routers', name: 'api', code: 'TPK_CFG_MISSING_KEY', line: 3 },
    {
      desc: 'service: a server url that is not http(s)',
      good: 'http:\n  services:\n    svc:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:1\n',
      bad: 'http:\n  services:\n    svc:\n      loadBalancer:\n        servers:\n          - url: ftp://127.0.0.1:1\n',
      collection: 'services',
      name: 'svc',
      code: 'TPK_CFG_INVALID_VALUE',
      line: 6,
    },
    {
      desc: 'middleware: two kinds at once',
      good: 'http:\n  middlewares:\n    m:\n      addPrefix: {prefix: /x}\n',
      bad: 'http:\n  middlewares:\n    m:\n      addPrefix: {prefix: /x}\n      stripPrefix: {prefixes: [/y]}\n',
      collection: 'middlewares',
      name: 'm',
      code: 'TPK_CFG_MULTI_TYPES',
      line: 3,
    },
    {
      desc: 'serversTransport: a bad value',
      good: 'http:\n  serversTransports:\n    tr:\n      maxIdleConnsPerHost: 7\n',
      bad: 'http:\n  serversTransports:\n    tr:\n      maxIdleConnsPerHost: many\n',
      collection: 'serversTransports',
      name: 'tr',
      code: 'TPK_CFG_INVALID_VALUE',
      line: 4,
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const [good, bad, fixed] = run([one('/etc/tp/dyn.yml', c.good), one('/etc/tp/dyn.yml', c.bad), one('/etc/tp/dyn.yml', c.good)]);
      assert.deepEqual(good?.diagnostics, []);
      const was = good?.config.http[c.collection][c.name];
      assert.ok(was !== undefined);
      assert.deepEqual(bad?.config.http[c.collection][c.name], was, 'the last valid version keeps serving');
      const errors = bad?.diagnostics.filter((d) => d.severity === 'error') ?? [];
      assert.ok(errors.length > 0);
      const d = errors.find((x) => x.code === c.code);
      assert.ok(d, `a ${c.code} error, got ${JSON.stringify(bad?.diagnostics)}`);
      assert.equal(d.source, '/etc/tp/dyn.yml');
      assert.equal(d.line, c.line);
      assert.equal(d.object, c.name);
      for (const e of errors) {
        assert.match(e.message, /; keeping its last valid version$/);
        assert.doesNotMatch(e.message, /left out/);
      }
      assert.deepEqual(fixed?.config, good?.config);
      assert.deepEqual(fixed?.diagnostics, []);
    });
  }

  void it('a brand-new invalid object is left out, as before', () => {
    const [, t] = run([one('dyn.yml', ROUTES), one('dyn.yml', ROUTES + '    fresh: {rule: "Path(`/`)"}\n')]);
    assert.deepEqual(routerNames(t), ['api']);
    assert.deepEqual(codes(t), [['TPK_CFG_MISSING_KEY', 'error']]);
    assert.match(t?.diagnostics[0]?.message ?? '', /this router is left out$/);
  });

  void it('the kept version expires when the object is deleted from the file', () => {
    const bad = routesWith('      priorty: 1');
    const [, kept, deleted, back] = run([one('dyn.yml', ROUTES), one('dyn.yml', bad), one('dyn.yml', 'http:\n  routers: {}\n'), one('dyn.yml', bad)]);
    assert.deepEqual(routerNames(kept), ['api']);
    assert.deepEqual(routerNames(deleted), []);
    assert.deepEqual(routerNames(back), [], 'coming back invalid after a deletion: left out');
    assert.match(back?.diagnostics[0]?.message ?? '', /left out$/);
  });

  void it('the kept version expires when the object validates again: the newer valid one is kept next', () => {
    const [, , v2, kept] = run([
      one('dyn.yml', ROUTES),
      one('dyn.yml', routesWith('      priority: high')),
      one('dyn.yml', routesWith('      priority: 2')),
      one('dyn.yml', routesWith('      priority: [2]')),
    ]);
    assert.equal(v2?.config.http.routers['api']?.priority, 2);
    assert.equal(kept?.config.http.routers['api']?.priority, 2);
  });

  void it('stays kept when the file then stops parsing or becomes empty', () => {
    const [good, ...rest] = run([one('dyn.yml', ROUTES), one('dyn.yml', routesWith('      priorty: 1')), one('dyn.yml', 'http: [\n'), one('dyn.yml', '')]);
    for (const t of rest) assert.deepEqual(t.config, good?.config);
  });

  void it('is per file: the same name declared invalid in another file is not kept', () => {
    const [, moved] = run([
      [{ path: 'd/a.yml', text: ROUTES }],
      [
        { path: 'd/a.yml', text: 'http: {}\n' },
        { path: 'd/b.yml', text: routesWith('      priorty: 1') },
      ],
    ]);
    assert.deepEqual(routerNames(moved), []);
    assert.match(moved?.diagnostics[0]?.message ?? '', /left out$/);
  });

  void it('a kept object still counts for names defined in two files', () => {
    const [, t] = run([
      [{ path: 'd/a.yml', text: ROUTES }],
      [
        { path: 'd/a.yml', text: routesWith('      priorty: 1') },
        { path: 'd/b.yml', text: routesWith('      priority: 5') },
      ],
    ]);
    assert.deepEqual(routerNames(t), [], 'two different definitions: left out');
    assert.ok(t?.diagnostics.some((d) => d.code === 'TPK_CFG_DUPLICATE_NAME' && d.severity === 'error'));
  });

  void it('only the invalid object is kept; its valid siblings apply their new versions', () => {
    const text = routesWith('      priorty: 1') + '    other: {rule: "Path(`/o`)", service: svc}\n';
    const [, t] = run([one('dyn.yml', ROUTES + '    other: {rule: "Path(`/`)", service: svc}\n'), one('dyn.yml', text)]);
    assert.equal(t?.config.http.routers['api']?.priority, 1);
    assert.equal(t?.config.http.routers['other']?.rule, 'Path(`/o`)');
  });
});
