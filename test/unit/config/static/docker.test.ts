import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { DOCKER_DEFAULT_ENDPOINT, DOCKER_DEFAULT_RULE, checkDockerEndpoint } from '../../../../src/config/static/sections/docker.js';
import { helpText } from '../../../../src/cli/help.js';
import { tempDir, type TempDir } from './fixtures.js';

void describe('providers.docker (static options)', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  const load = (argv: string[], env: Record<string, string> = {}) => loadStaticConfig({ argv, env, cwd: dir.path, searchDirs: [] });

  void it('a bare --providers.docker enables it with Traefik defaults; absent = no docker key', () => {
    const r = load(['--providers.docker']);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config?.providers.docker, {
      endpoint: DOCKER_DEFAULT_ENDPOINT,
      exposedByDefault: true,
      defaultRule: DOCKER_DEFAULT_RULE,
      network: '',
      useBindPortIP: false,
      watch: true,
      constraints: '',
      allowEmptyServices: false,
      httpClientTimeout: 0,
      username: undefined,
      password: undefined,
      tls: undefined,
    });
    const none = load(['--entryPoints.web.address=:80']);
    assert.equal(none.config !== undefined && 'docker' in none.config.providers, false);
  });

  void it('reads every option from a file, in any key case', () => {
    const file = dir.write(
      'docker.yml',
      [
        'providers:',
        '  docker:',
        '    endpoint: tcp://10.0.0.5:2376',
        '    exposedbydefault: false',
        '    defaultRule: "Host(`{{ .Name }}.example.com`)"',
        '    network: web',
        '    useBindPortIP: true',
        '    watch: false',
        '    constraints: Label("env","prod") && !LabelRegex("team","^ops")',
        '    allowEmptyServices: true',
        '    httpClientTimeout: 5s',
        '    username: u',
        '    password: p',
        '    tls:',
        '      ca: /etc/ca.pem',
        '      cert: /etc/cert.pem',
        '      key: /etc/key.pem',
        '      insecureSkipVerify: true',
      ].join('\n'),
    );
    const r = load([`--configFile=${file}`]);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config?.providers.docker, {
      endpoint: 'tcp://10.0.0.5:2376',
      exposedByDefault: false,
      defaultRule: 'Host(`{{ .Name }}.example.com`)',
      network: 'web',
      useBindPortIP: true,
      watch: false,
      constraints: 'Label("env","prod") && !LabelRegex("team","^ops")',
      allowEmptyServices: true,
      httpClientTimeout: 5000,
      username: 'u',
      password: 'p',
      tls: { ca: '/etc/ca.pem', cert: '/etc/cert.pem', key: '/etc/key.pem', insecureSkipVerify: true },
    });
  });

  void it('reads TRAEFIK_PROVIDERS_DOCKER_* variables', () => {
    const r = load([], { TRAEFIK_PROVIDERS_DOCKER: 'true', TRAEFIK_PROVIDERS_DOCKER_EXPOSEDBYDEFAULT: 'false', TRAEFIK_PROVIDERS_DOCKER_ENDPOINT: 'unix:///run/d.sock' });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config?.providers.docker?.exposedByDefault, false);
    assert.equal(r.config?.providers.docker?.endpoint, 'unix:///run/d.sock');
  });

  const errors: { desc: string; argv: string[]; path: string; code: string; message: RegExp }[] = [
    { desc: 'a constraints expression that does not parse', argv: ['--providers.docker.constraints=Label("a","b") &&'], path: 'providers.docker.constraints', code: 'TPK_CFG_VALUE', message: /constraints expression/ },
    { desc: 'an unknown constraints function', argv: ['--providers.docker.constraints=Labl("a","b")'], path: 'providers.docker.constraints', code: 'TPK_CFG_VALUE', message: /constraints expression/ },
    { desc: 'a defaultRule template Turnpike cannot read', argv: ['--providers.docker.defaultRule=Host(`{{ .Nme | nosuchfunc }}`)'], path: 'providers.docker.defaultRule', code: 'TPK_CFG_VALUE', message: /rule template/ },
    { desc: 'an unclosed defaultRule action', argv: ['--providers.docker.defaultRule=Host(`{{ .Name `)'], path: 'providers.docker.defaultRule', code: 'TPK_CFG_VALUE', message: /rule template/ },
    { desc: 'an ssh endpoint', argv: ['--providers.docker.endpoint=ssh://me@host'], path: 'providers.docker.endpoint', code: 'TPK_CFG_VALUE', message: /ssh:\/\/ is not supported/ },
    { desc: 'an endpoint that is not a URL', argv: ['--providers.docker.endpoint=/var/run/docker.sock'], path: 'providers.docker.endpoint', code: 'TPK_CFG_VALUE', message: /Docker endpoint/ },
    { desc: 'a tcp endpoint without host', argv: ['--providers.docker.endpoint=tcp://'], path: 'providers.docker.endpoint', code: 'TPK_CFG_VALUE', message: /./ },
    { desc: 'a client certificate without key', argv: ['--providers.docker.tls.cert=/c.pem'], path: 'providers.docker.tls.key', code: 'TPK_CFG_REQUIRED', message: /both "cert" and "key"/ },
    { desc: 'a misspelt option', argv: ['--providers.docker.exposedByDefaults=false'], path: 'providers.docker.exposedByDefaults', code: 'TPK_CFG_UNKNOWN_KEY', message: /did you mean "exposedByDefault"/ },
  ];
  for (const c of errors) {
    void it(`refuses ${c.desc}, naming the key`, () => {
      const r = load(c.argv);
      assert.equal(r.config, undefined, c.desc);
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.ok(d, c.desc);
      assert.equal(d.code, c.code, `${c.desc}: ${d.message}`);
      assert.equal(d.path, c.path, c.desc);
      assert.match(d.message, c.message, c.desc);
    });
  }

  void it('reports a bad constraints expression at its line in a file', () => {
    const file = dir.write('bad.yml', ['providers:', '  docker:', '    constraints: Label("a")', ''].join('\n'));
    const r = load([`--configFile=${file}`]);
    assert.equal(r.config, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.path]),
      [['TPK_CFG_VALUE', 3, 'providers.docker.constraints']],
    );
  });

  const endpoints: { desc: string; value: string; ok: boolean }[] = [
    { desc: 'the default unix socket', value: 'unix:///var/run/docker.sock', ok: true },
    { desc: 'tcp with port', value: 'tcp://127.0.0.1:2375', ok: true },
    { desc: 'a socket proxy by name', value: 'tcp://socket-proxy:2375', ok: true },
    { desc: 'http', value: 'http://127.0.0.1:2375', ok: true },
    { desc: 'https', value: 'https://docker.example:2376', ok: true },
    { desc: 'unix without path', value: 'unix://', ok: false },
    { desc: 'npipe', value: 'npipe:////./pipe/docker_engine', ok: false },
  ];
  for (const c of endpoints) {
    void it(`endpoint check: ${c.desc}`, () => assert.equal(checkDockerEndpoint(c.value) === undefined, c.ok));
  }

  void it('--help lists the docker options with their defaults', () => {
    const help = helpText();
    assert.match(help, /--providers\.docker\.endpoint/);
    assert.match(help, /unix:\/\/\/var\/run\/docker\.sock/);
    assert.match(help, /--providers\.docker\.tls\.insecureSkipVerify/);
  });
});
