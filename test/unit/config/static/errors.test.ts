import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from '../../../../src/config/diagnostics.js';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { tempDir, type TempDir } from './fixtures.js';

/** [code, line, path] of each diagnostic. */
function brief(diagnostics: readonly Diagnostic[]): [string, number | undefined, string | undefined][] {
  return diagnostics.map((d) => [d.code, d.line, d.path]);
}

void describe('static configuration errors', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  const loadFile = (name: string, text: string) => {
    const file = dir.write(name, text);
    return { file, result: loadStaticConfig({ argv: [`--configFile=${file}`], env: {}, cwd: dir.path, searchDirs: [] }) };
  };

  const yamlCases: { desc: string; text: string; want: [string, number | undefined, string | undefined][]; message?: RegExp }[] = [
    {
      desc: 'unknown key, with a suggestion',
      text: 'entryPoints:\n  web:\n    adress: ":80"\n',
      want: [['TPK_CFG_UNKNOWN_KEY', 3, 'entryPoints.web.adress']],
      message: /^unknown key "adress" \(did you mean "address"\?\)$/,
    },
    {
      desc: 'unknown top-level key',
      text: 'log:\n  level: INFO\nlogs:\n  level: INFO\n',
      want: [['TPK_CFG_UNKNOWN_KEY', 3, 'logs']],
      message: /did you mean "log"/,
    },
    {
      desc: 'a value where a section is expected',
      text: 'entryPoints:\n  web: ":80"\n',
      want: [['TPK_CFG_TYPE', 2, 'entryPoints.web']],
    },
    {
      desc: 'a list where a single value is expected',
      text: 'log:\n  level:\n    - INFO\n',
      want: [['TPK_CFG_TYPE', 2, 'log.level']],
    },
    {
      desc: 'a bad duration',
      text: 'entryPoints:\n  web:\n    address: ":80"\n    transport:\n      respondingTimeouts:\n        readTimeout: 10 seconds\n',
      want: [['TPK_CFG_VALUE', 6, 'entryPoints.web.transport.respondingTimeouts.readTimeout']],
      message: /expected a duration like "10s" or a number of seconds/,
    },
    {
      desc: 'a bad boolean',
      text: 'providers:\n  file:\n    directory: /d\n    watch: sometimes\n',
      want: [['TPK_CFG_VALUE', 4, 'providers.file.watch']],
    },
    {
      desc: 'a bad address',
      text: 'entryPoints:\n  web:\n    address: "80"\n',
      want: [['TPK_CFG_VALUE', 3, 'entryPoints.web.address']],
    },
    {
      desc: 'a bad trusted IP',
      text: 'entryPoints:\n  web:\n    address: ":80"\n    forwardedHeaders:\n      trustedIPs: ["10.0.0.0/33"]\n',
      want: [['TPK_CFG_VALUE', 5, 'entryPoints.web.forwardedHeaders.trustedIPs']],
    },
    {
      desc: 'a bad log level',
      text: '\nlog:\n  level: LOUD\n',
      want: [['TPK_CFG_VALUE', 3, 'log.level']],
    },
    {
      desc: 'a negative number',
      text: 'serversTransport:\n  maxIdleConnsPerHost: -1\n',
      want: [['TPK_CFG_VALUE', 2, 'serversTransport.maxIdleConnsPerHost']],
    },
    {
      desc: 'a missing address',
      text: 'entryPoints:\n  web:\n    asDefault: true\n',
      want: [['TPK_CFG_REQUIRED', 2, 'entryPoints.web.address']],
    },
    {
      desc: 'filename and directory together',
      text: 'providers:\n  file:\n    filename: a.yml\n    directory: conf.d\n',
      want: [['TPK_CFG_CONFLICT', 4, 'providers.file']],
    },
    {
      desc: 'a file provider with neither filename nor directory',
      text: 'providers:\n  file: {}\n',
      want: [['TPK_CFG_REQUIRED', 2, 'providers.file']],
    },
    {
      desc: 'a redirection without "to"',
      text: 'entryPoints:\n  web:\n    address: ":80"\n    http:\n      redirections:\n        entryPoint:\n          scheme: https\n',
      want: [['TPK_CFG_REQUIRED', 6, 'entryPoints.web.http.redirections.entryPoint.to']],
    },
    {
      desc: 'a redirection to an undefined entry point',
      text: 'entryPoints:\n  web:\n    address: ":80"\n    http:\n      redirections:\n        entryPoint:\n          to: websecur\n',
      want: [['TPK_CFG_REFERENCE', 7, 'entryPoints.web.http.redirections.entryPoint.to']],
    },
    {
      desc: 'a YAML syntax error',
      text: 'log:\n  level: INFO\n  level: DEBUG\n',
      want: [['TPK_CFG_PARSE', 3, undefined]],
    },
    {
      desc: 'several problems at once, each reported',
      text: 'entryPoints:\n  web:\n    address: ":80"\n    asDefault: maybe\nlog:\n  levl: INFO\n',
      want: [
        ['TPK_CFG_VALUE', 4, 'entryPoints.web.asDefault'],
        ['TPK_CFG_UNKNOWN_KEY', 6, 'log.levl'],
      ],
    },
  ];
  for (const c of yamlCases) {
    void it(`YAML: ${c.desc}`, () => {
      const { file, result } = loadFile(`case-${yamlCases.indexOf(c)}.yml`, c.text);
      assert.equal(result.config, undefined);
      assert.deepEqual(brief(result.diagnostics), c.want);
      for (const d of result.diagnostics) assert.equal(d.source, file);
      if (c.message) assert.match(result.diagnostics[0]?.message ?? '', c.message);
    });
  }

  const tomlCases: { desc: string; text: string; want: [string, number | undefined, string | undefined][] }[] = [
    {
      desc: 'unknown key in a table',
      text: '[entryPoints.web]\n  address = ":80"\n  adress = ":81"\n',
      want: [['TPK_CFG_UNKNOWN_KEY', 3, 'entryPoints.web.adress']],
    },
    {
      desc: 'a bad duration in a dotted key',
      text: '[entryPoints.web]\naddress = ":80"\n\ntransport.lifeCycle.graceTimeOut = "soon"\n',
      want: [['TPK_CFG_VALUE', 4, 'entryPoints.web.transport.lifeCycle.graceTimeOut']],
    },
    {
      desc: 'a bad value in an inline table',
      text: '[providers]\nfile = { directory = "/d", watch = "perhaps" }\n',
      want: [['TPK_CFG_VALUE', 2, 'providers.file.watch']],
    },
    {
      desc: 'a missing address under a table header',
      text: '# entry points\n\n[entryPoints.web.forwardedHeaders]\ninsecure = true\n',
      want: [['TPK_CFG_REQUIRED', 3, 'entryPoints.web.address']],
    },
    {
      desc: 'a TOML syntax error',
      text: '[log]\nlevel = INFO\n',
      want: [['TPK_CFG_PARSE', 2, undefined]],
    },
  ];
  for (const c of tomlCases) {
    void it(`TOML: ${c.desc}`, () => {
      const { file, result } = loadFile(`case-${tomlCases.indexOf(c)}.toml`, c.text);
      assert.equal(result.config, undefined);
      assert.deepEqual(brief(result.diagnostics), c.want);
      for (const d of result.diagnostics) assert.equal(d.source, file);
    });
  }

  const flagCases: { desc: string; argv: string[]; want: [string, string, string | undefined][] }[] = [
    { desc: 'unknown flag', argv: ['--entryPoints.web.adress=:80'], want: [['TPK_CFG_UNKNOWN_KEY', 'flag --entryPoints.web.adress', 'entryPoints.web.adress']] },
    { desc: 'bad value', argv: ['--log.level=LOUD'], want: [['TPK_CFG_VALUE', 'flag --log.level', 'log.level']] },
    { desc: 'a flag missing its value', argv: ['--entryPoints.web.address'], want: [['TPK_CFG_FLAG', 'flag --entryPoints.web.address', undefined]] },
    { desc: 'a flag followed by another flag instead of its value', argv: ['--log.level', '--log.noColor'], want: [['TPK_CFG_FLAG', 'flag --log.level', undefined]] },
    { desc: 'a boolean given its value as a separate argument', argv: ['--log.noColor', 'true'], want: [['TPK_CFG_FLAG', 'flag --log.noColor true', undefined]] },
    { desc: 'a stray argument', argv: ['--log.noColor', 'extra'], want: [['TPK_CFG_FLAG', 'argument extra', undefined]] },
    { desc: 'bad flag syntax', argv: ['---x'], want: [['TPK_CFG_FLAG', 'flag ---x', undefined]] },
    { desc: 'a missing --configFile', argv: ['--configFile=does-not-exist.yml'], want: [['TPK_CFG_FILE', '', undefined]] },
  ];
  for (const c of flagCases) {
    void it(`flags: ${c.desc}`, () => {
      const r = loadStaticConfig({ argv: c.argv, env: {}, cwd: dir.path, searchDirs: [] });
      assert.equal(r.config, undefined);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.code === 'TPK_CFG_FILE' ? '' : d.source, d.path]),
        c.want,
      );
    });
  }

  void it('env: an error names the variable', () => {
    const r = loadStaticConfig({ argv: [], env: { TRAEFIK_ENTRYPOINTS_WEB_ADDRESS: ':80', TRAEFIK_ENTRYPOINTS_WEB_ASDEFAULT: 'maybe' }, cwd: dir.path, searchDirs: [] });
    assert.equal(r.config, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.source, d.path]),
      [['TPK_CFG_VALUE', 'env TRAEFIK_ENTRYPOINTS_WEB_ASDEFAULT', 'entryPoints.web.asDefault']],
    );
  });

  void it('an unsupported file extension', () => {
    const { result } = loadFile('traefik.json', '{}');
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['TPK_CFG_FILE']);
  });

  void it('unreadable paths are reported, not thrown', () => {
    const r = loadStaticConfig({ argv: [`--configFile=${dir.path}`], env: {}, cwd: dir.path, searchDirs: [] });
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['TPK_CFG_FILE']);
  });
});
