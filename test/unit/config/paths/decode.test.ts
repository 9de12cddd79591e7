import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bool,
  decodeFlat,
  duration,
  int,
  listOf,
  mapOf,
  section,
  str,
  type FlatEntry,
  type FlatValue,
  type UnknownKeyPolicy,
} from '../../../../src/config/paths/index.js';

const schema = section({
  entryPoints: mapOf(
    section({
      address: str(),
      asDefault: bool(),
      timeout: duration(),
      http: section({ middlewares: listOf(str()), tls: section({ domains: listOf(section({ main: str(), sans: listOf(str()) })) }) }),
    }),
  ),
  providers: section({ file: section({ filename: str(), watch: bool() }), count: int({ min: 0 }) }),
  log: section({ level: str({ oneOf: ['DEBUG', 'ERROR'] }) }),
});

function flat(key: string, value: FlatValue, origin = `flag --${key}`): FlatEntry {
  return { segments: key.split('.'), value, origin };
}

void describe('decodeFlat', () => {
  const cases: { desc: string; entries: FlatEntry[]; want: unknown }[] = [
    {
      desc: 'keys match case-insensitively and come out in canonical spelling; map names keep the user spelling',
      entries: [flat('ENTRYPOINTS.Web.ADDRESS', ':80'), flat('entrypoints.Web.asdefault', 'true')],
      want: { entryPoints: { Web: { address: ':80', asDefault: true } } },
    },
    {
      desc: 'list values are split on commas and trimmed; file lists stay lists',
      entries: [flat('entryPoints.web.http.middlewares', 'a@file, b@docker'), flat('entryPoints.api.http.middlewares', ['x', 'y,z'])],
      want: { entryPoints: { web: { http: { middlewares: ['a@file', 'b@docker'] } }, api: { http: { middlewares: ['x', 'y', 'z'] } } } },
    },
    {
      desc: 'lists of sections use [n] indexes, in either spelling, gaps closed',
      entries: [
        flat('entryPoints.web.http.tls.domains[2].main', 'b.example'),
        { segments: ['entryPoints', 'web', 'http', 'tls', 'domains', '[0]', 'main'], value: 'a.example', origin: 'file' },
        flat('entryPoints.web.http.tls.domains[0].sans', '*.a.example'),
      ],
      want: { entryPoints: { web: { http: { tls: { domains: [{ main: 'a.example', sans: ['*.a.example'] }, { main: 'b.example' }] } } } } },
    },
    {
      desc: 'a bare section key, "true" or "" enables it with defaults; a bare boolean is true',
      entries: [flat('providers.file', null), flat('log', 'true'), flat('entryPoints.web', ''), flat('entryPoints.web.asDefault', null)],
      want: { providers: { file: {} }, log: {}, entryPoints: { web: { asDefault: true } } },
    },
    {
      desc: '"false" on an empty section leaves it out',
      entries: [flat('providers.file', null), flat('providers.file', 'false')],
      want: { providers: {} },
    },
    {
      desc: 'durations become milliseconds, choices their canonical spelling, integers numbers',
      entries: [flat('entryPoints.web.timeout', '1m30s'), flat('log.level', 'debug'), flat('providers.count', '42')],
      want: { entryPoints: { web: { timeout: 90_000 } }, log: { level: 'DEBUG' }, providers: { count: 42 } },
    },
    {
      desc: 'later entries override earlier ones',
      entries: [flat('entryPoints.web.address', ':80'), flat('entryPoints.web.address', ':81')],
      want: { entryPoints: { web: { address: ':81' } } },
    },
    {
      desc: 'a map name like __proto__ is an own key, not the prototype',
      entries: [flat('entryPoints.__proto__.address', ':80')],
      want: JSON.parse('{"entryPoints":{"__proto__":{"address":":80"}}}') as unknown,
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = decodeFlat(schema, c.entries);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.value, c.want);
    });
  }

  void it('appends repeated lists when asked (Traefik flags), else the last wins', () => {
    const entries = [flat('entryPoints.web.http.middlewares', 'a'), flat('entryPoints.web.http.middlewares', 'b')];
    assert.deepEqual(decodeFlat(schema, entries, { repeatedLists: 'append' }).value, { entryPoints: { web: { http: { middlewares: ['a', 'b'] } } } });
    assert.deepEqual(decodeFlat(schema, entries).value, { entryPoints: { web: { http: { middlewares: ['b'] } } } });
  });

  void it('records where each key was first given', () => {
    const r = decodeFlat(schema, [{ segments: ['entryPoints', 'web', 'address'], value: ':80', origin: 'a.yml', positions: [{ line: 1 }, { line: 2, column: 3 }, { line: 3, column: 5 }] }]);
    assert.deepEqual(r.locations.get('entryPoints.web'), { source: 'a.yml', line: 2, column: 3 });
    assert.deepEqual(r.locations.get('entryPoints.web.address'), { source: 'a.yml', line: 3, column: 5 });
  });

  const errors: { desc: string; entry: FlatEntry; code: string; path: string; message?: RegExp }[] = [
    { desc: 'unknown key with a suggestion', entry: flat('entryPoints.web.adress', ':80'), code: 'TPK_CFG_UNKNOWN_KEY', path: 'entryPoints.web.adress', message: /did you mean "address"/ },
    { desc: 'unknown top-level key', entry: flat('nothing.here', 'x'), code: 'TPK_CFG_UNKNOWN_KEY', path: 'nothing' },
    { desc: 'a value for a section', entry: flat('providers.file', 'yes please'), code: 'TPK_CFG_TYPE', path: 'providers.file' },
    { desc: 'keys below a value', entry: flat('entryPoints.web.address.port', '80'), code: 'TPK_CFG_TYPE', path: 'entryPoints.web.address' },
    { desc: 'a list for a single value', entry: flat('entryPoints.web.address', [':80', ':81']), code: 'TPK_CFG_TYPE', path: 'entryPoints.web.address' },
    { desc: 'no value for a text', entry: flat('entryPoints.web.address', null), code: 'TPK_CFG_TYPE', path: 'entryPoints.web.address' },
    { desc: 'an index on a section', entry: flat('providers[0].file', 'x'), code: 'TPK_CFG_TYPE', path: 'providers' },
    { desc: 'a name instead of an index', entry: flat('entryPoints.web.http.tls.domains.first.main', 'x'), code: 'TPK_CFG_TYPE', path: 'entryPoints.web.http.tls.domains' },
    { desc: 'a bad duration', entry: flat('entryPoints.web.timeout', '10 seconds'), code: 'TPK_CFG_VALUE', path: 'entryPoints.web.timeout', message: /expected a duration like "10s" or a number of seconds/ },
    { desc: 'a negative duration', entry: flat('entryPoints.web.timeout', '-1s'), code: 'TPK_CFG_VALUE', path: 'entryPoints.web.timeout' },
    { desc: 'a bad boolean', entry: flat('entryPoints.web.asDefault', 'yes'), code: 'TPK_CFG_VALUE', path: 'entryPoints.web.asDefault' },
    { desc: 'a bad integer', entry: flat('providers.count', '1.5'), code: 'TPK_CFG_VALUE', path: 'providers.count' },
    { desc: 'an integer below the minimum', entry: flat('providers.count', '-1'), code: 'TPK_CFG_VALUE', path: 'providers.count' },
    { desc: 'a value outside the choices', entry: flat('log.level', 'LOUD'), code: 'TPK_CFG_VALUE', path: 'log.level', message: /one of "DEBUG", "ERROR"/ },
  ];
  for (const c of errors) {
    void it(`reports ${c.desc}`, () => {
      const r = decodeFlat(schema, [c.entry]);
      assert.equal(r.diagnostics.length, 1, JSON.stringify(r.diagnostics));
      const d = r.diagnostics[0];
      assert.equal(d?.code, c.code);
      assert.equal(d?.path, c.path);
      assert.equal(d?.source, c.entry.origin);
      assert.equal(d?.severity, 'error');
      if (c.message) assert.match(d?.message ?? '', c.message);
    });
  }

  void it('asks the unknown-key policy: unsupported keys get their own code, siblings feed suggestions', () => {
    const policy: UnknownKeyPolicy = {
      unsupported: (pattern, keyPath) => (pattern === 'entrypoints._name_.http3' ? `"${keyPath}" is elsewhere` : undefined),
      siblings: (parent) => (parent === 'entrypoints._name_' ? ['reusePort'] : []),
    };
    const r = decodeFlat(schema, [flat('entryPoints.web.http3.advertisedPort', '443'), flat('entryPoints.web.reuseport2', 'true')], { unknownKeys: policy });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.path]),
      [
        ['TPK_CFG_UNSUPPORTED', 'entryPoints.web.http3.advertisedPort'],
        ['TPK_CFG_UNKNOWN_KEY', 'entryPoints.web.reuseport2'],
      ],
    );
    assert.equal(r.diagnostics[0]?.message, '"entryPoints.web.http3.advertisedPort" is elsewhere');
    assert.match(r.diagnostics[1]?.message ?? '', /did you mean "reusePort"/);
  });

  void it('names the section once for file entries below an unknown key, at its line', () => {
    const origin = 'c.yml';
    const r = decodeFlat(schema, [
      { segments: ['api', 'insecure'], value: 'true', origin, positions: [{ line: 4, column: 1 }, { line: 5, column: 3 }] },
      { segments: ['api', 'dashboard'], value: 'true', origin, positions: [{ line: 4, column: 1 }, { line: 6, column: 3 }] },
    ]);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.path, d.line]),
      [['TPK_CFG_UNKNOWN_KEY', 'api', 4]],
    );
  });
});
