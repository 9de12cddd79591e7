import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadStaticConfig, type LoadStaticInput } from '../../../../src/config/static/load.js';
import type { EntryPointConfig, StaticConfig } from '../../../../src/config/static/types.js';
import { tempDir, type TempDir } from './fixtures.js';

const YAML = `entryPoints:
  web:
    address: ":8000"
    http:
      redirections:
        entryPoint:
          to: websecure
          scheme: https
  websecure:
    address: "127.0.0.1:8443/tcp"
    asDefault: true
    forwardedHeaders:
      trustedIPs: ["10.0.0.0/8", "::1"]
    transport:
      respondingTimeouts:
        readTimeout: 10
        idleTimeout: 1m30s
      lifeCycle:
        graceTimeOut: 250ms
    http:
      middlewares:
        - auth@file
providers:
  providersThrottleDuration: 500ms
  file:
    filename: dynamic.yml
    watch: false
log:
  level: debug
  format: json
serversTransport:
  insecureSkipVerify: true
  rootCAs: [ca.pem]
  maxIdleConnsPerHost: 10
  forwardingTimeouts:
    dialTimeout: 5s
global:
  checkNewVersion: true
  sendAnonymousUsage: false
`;

const TOML = `[entryPoints.web]
  address = ":8000"
  [entryPoints.web.http.redirections.entryPoint]
    to = "websecure"
    scheme = "https"

[entryPoints.websecure]
  address = "127.0.0.1:8443/tcp"
  asDefault = true
  [entryPoints.websecure.forwardedHeaders]
    trustedIPs = ["10.0.0.0/8", "::1"]
  [entryPoints.websecure.transport.respondingTimeouts]
    readTimeout = 10
    idleTimeout = "1m30s"
  [entryPoints.websecure.transport.lifeCycle]
    graceTimeOut = "250ms"
  [entryPoints.websecure.http]
    middlewares = ["auth@file"]

[providers]
  providersThrottleDuration = "500ms"
  [providers.file]
    filename = "dynamic.yml"
    watch = false

[log]
  level = "debug"
  format = "json"

[serversTransport]
  insecureSkipVerify = true
  rootCAs = ["ca.pem"]
  maxIdleConnsPerHost = 10
  [serversTransport.forwardingTimeouts]
    dialTimeout = "5s"

[global]
  checkNewVersion = true
  sendAnonymousUsage = false
`;

function entryPoint(name: string, address: string, host: string, port: number, extra: Partial<EntryPointConfig> = {}): EntryPointConfig {
  return {
    name,
    address,
    host,
    port,
    protocol: 'tcp',
    asDefault: false,
    forwardedHeaders: { trustedIPs: [], insecure: false },
    transport: {
      respondingTimeouts: { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 },
      lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: 10_000 },
    },
    http: { redirections: undefined, middlewares: [], sanitizePath: true, encodeQuerySemicolons: false, maxHeaderBytes: 1_048_576 },
    http2: { maxConcurrentStreams: 250 },
    ...extra,
  };
}

const DEFAULT_LOG = { level: 'ERROR', format: 'common', filePath: undefined, noColor: false } as const;
const DEFAULT_TRANSPORT = {
  insecureSkipVerify: false,
  rootCAs: [],
  maxIdleConnsPerHost: 200,
  forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
};

/** The model both example files describe (cwd = the directory they live in). */
function expectedFromExample(cwd: string, origin: StaticConfig['origin']): StaticConfig {
  const base = entryPoint('websecure', '127.0.0.1:8443/tcp', '127.0.0.1', 8443);
  return {
    workers: availableParallelism(), // the default: one process per CPU core
    entryPoints: {
      web: entryPoint('web', ':8000', '', 8000, {
        http: { ...base.http, redirections: { entryPoint: { to: 'websecure', scheme: 'https', permanent: true, priority: Number.MAX_SAFE_INTEGER - 1 } } },
      }),
      websecure: {
        ...base,
        asDefault: true,
        forwardedHeaders: { trustedIPs: ['10.0.0.0/8', '::1'], insecure: false },
        transport: {
          respondingTimeouts: { readTimeout: 10_000, writeTimeout: 0, idleTimeout: 90_000 },
          lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: 250 },
        },
        http: { ...base.http, middlewares: ['auth@file'] },
      },
    },
    providers: { providersThrottleDuration: 500, file: { filename: join(cwd, 'dynamic.yml'), directory: undefined, watch: false } },
    log: { level: 'DEBUG', format: 'json', filePath: undefined, noColor: false },
    serversTransport: {
      insecureSkipVerify: true,
      rootCAs: ['ca.pem'],
      maxIdleConnsPerHost: 10,
      forwardingTimeouts: { dialTimeout: 5000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
    },
    origin,
  };
}

void describe('loadStaticConfig', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  const load = (input: Partial<LoadStaticInput>) => loadStaticConfig({ argv: [], env: {}, cwd: dir.path, searchDirs: [], ...input });

  void describe('sources', () => {
    void it('reads a YAML file given with --configFile', () => {
      const file = dir.write('src-yaml/traefik.yml', YAML);
      const r = load({ argv: [`--configFile=${file}`] });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.files, { static: file });
      assert.deepEqual(r.config, expectedFromExample(dir.path, { kind: 'file', file }));
      assert.ok(Object.isFrozen(r.config?.entryPoints['web']?.http));
    });

    void it('reads the same configuration from TOML (--configFile relative to cwd, two-argument form)', () => {
      const file = dir.write('src-toml/traefik.toml', TOML);
      const r = load({ argv: ['--configfile', 'src-toml/traefik.toml'] });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config, expectedFromExample(dir.path, { kind: 'file', file }));
    });

    void it('reads flags: dotted, any case, = or two-argument form, bare sections', () => {
      const r = load({
        argv: [
          '--entryPoints.web.address=:8000',
          '--entrypoints.web.http.redirections.entrypoint.to',
          'websecure',
          '--ENTRYPOINTS.websecure.ADDRESS',
          '127.0.0.1:8443/tcp',
          '--entryPoints.websecure.asDefault',
          '--entryPoints.websecure.forwardedHeaders.trustedIPs=10.0.0.0/8,::1',
          '--entryPoints.websecure.transport.respondingTimeouts.readTimeout=10',
          '--entryPoints.websecure.transport.respondingTimeouts.idleTimeout=1m30s',
          '-entryPoints.websecure.transport.lifeCycle.graceTimeOut=250ms',
          '--entryPoints.websecure.http.middlewares=auth@file',
          '--providers.providersThrottleDuration=500ms',
          '--providers.file',
          '--providers.file.filename=dynamic.yml',
          '--providers.file.watch=false',
          '--log.level=debug',
          '--log.format=json',
          '--serversTransport.insecureSkipVerify',
          '--serversTransport.rootCAs=ca.pem',
          '--serversTransport.maxIdleConnsPerHost=10',
          '--serversTransport.forwardingTimeouts.dialTimeout=5s',
          '--global.checkNewVersion=true',
        ],
      });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.files, {});
      assert.deepEqual(r.config, expectedFromExample(dir.path, { kind: 'flags' }));
    });

    void it('skips a leading subcommand in argv', () => {
      const r = load({ argv: ['check', '--entryPoints.web.address=:81'] });
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.config?.entryPoints['web']?.port, 81);
    });

    void it('reads TRAEFIK_ and TURNPIKE_ environment variables (TURNPIKE_ wins), names in lower case', () => {
      const r = load({
        env: {
          TRAEFIK_ENTRYPOINTS_WEB_ADDRESS: ':8000',
          TRAEFIK_ENTRYPOINTS_MY_EP_ADDRESS: ':8001',
          TRAEFIK_ENTRYPOINTS_MY_EP_TRANSPORT_RESPONDINGTIMEOUTS_READTIMEOUT: '1m',
          TRAEFIK_LOG_LEVEL: 'INFO',
          TURNPIKE_LOG_LEVEL: 'debug',
          TURNPIKE_PROVIDERS_FILE_DIRECTORY: '/etc/dyn',
          TRAEFIK_VERSION: 'v3.1', // not a configuration key: ignored, as Traefik does
          PATH: '/usr/bin',
        },
      });
      assert.deepEqual(r.diagnostics, []);
      const c = r.config;
      assert.equal(c?.origin.kind, 'env');
      assert.deepEqual(Object.keys(c?.entryPoints ?? {}).sort(), ['my_ep', 'web']);
      assert.equal(c?.entryPoints['my_ep']?.port, 8001);
      assert.equal(c?.entryPoints['my_ep']?.transport.respondingTimeouts.readTimeout, 60_000);
      assert.equal(c?.log.level, 'DEBUG');
      assert.deepEqual(c?.providers.file, { filename: undefined, directory: '/etc/dyn', watch: true });
    });

    void it('uses defaults when no source gives anything: entry point http on :80', () => {
      const r = load({ env: { HOME: '/nowhere' } });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config, {
        workers: availableParallelism(),
        entryPoints: { http: entryPoint('http', ':80', '', 80) },
        providers: { providersThrottleDuration: 2000, file: undefined },
        log: DEFAULT_LOG,
        serversTransport: DEFAULT_TRANSPORT,
        origin: { kind: 'defaults' },
      });
    });

    void it('creates no automatic entry point when one is defined', () => {
      const r = load({ argv: ['--entryPoints.api.address=[::1]:9000/udp'] });
      assert.deepEqual(Object.keys(r.config?.entryPoints ?? {}), ['api']);
      assert.deepEqual(r.config?.entryPoints['api'], { ...entryPoint('api', '[::1]:9000/udp', '::1', 9000), protocol: 'udp' });
    });
  });

  void describe('precedence', () => {
    void it('a file wins: flags and env are ignored, with a warning each', () => {
      const file = dir.write('prec/traefik.yml', 'entryPoints:\n  fromfile:\n    address: ":7000"\n');
      const r = load({ argv: [`--configFile=${file}`, '--entryPoints.fromflag.address=:7001'], env: { TRAEFIK_ENTRYPOINTS_FROMENV_ADDRESS: ':7002' } });
      assert.equal(r.config?.origin.kind, 'file');
      assert.deepEqual(Object.keys(r.config?.entryPoints ?? {}), ['fromfile']);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.severity, d.source]),
        [
          ['TPK_CFG_SOURCE_IGNORED', 'warning', 'flags'],
          ['TPK_CFG_SOURCE_IGNORED', 'warning', 'env'],
        ],
      );
    });

    void it('a file found by the search wins over flags too', () => {
      const search = dir.write('prec2/traefik.yml', 'log:\n  level: WARN\n');
      const r = load({ argv: ['--log.level=DEBUG'], searchDirs: [join(dir.path, 'prec2')] });
      assert.deepEqual(r.config?.origin, { kind: 'file', file: search });
      assert.equal(r.config?.log.level, 'WARN');
    });

    void it('flags win over env (with a warning)', () => {
      const r = load({ argv: ['--log.level=INFO'], env: { TRAEFIK_LOG_LEVEL: 'DEBUG' } });
      assert.equal(r.config?.origin.kind, 'flags');
      assert.equal(r.config?.log.level, 'INFO');
      assert.deepEqual(r.diagnostics.map((d) => d.code), ['TPK_CFG_SOURCE_IGNORED']);
    });
  });

  void describe('durations and numbers', () => {
    const cases: { desc: string; value: string; ms: number }[] = [
      { desc: 'Go duration', value: '1m30s', ms: 90_000 },
      { desc: 'milliseconds', value: '250ms', ms: 250 },
      { desc: 'hours', value: '1h', ms: 3_600_000 },
      { desc: 'bare integer = seconds', value: '42', ms: 42_000 },
      { desc: 'bare decimal = seconds', value: '0.5', ms: 500 },
      { desc: 'zero = none', value: '0', ms: 0 },
    ];
    for (const c of cases) {
      void it(c.desc, () => {
        const r = load({ argv: [`--entryPoints.web.address=:80`, `--entryPoints.web.transport.respondingTimeouts.writeTimeout=${c.value}`] });
        assert.deepEqual(r.diagnostics, []);
        assert.equal(r.config?.entryPoints['web']?.transport.respondingTimeouts.writeTimeout, c.ms);
      });
    }

    void it('clamps Traefik\'s MaxInt64-1 redirection priority to the largest safe integer', () => {
      const r = load({
        argv: ['--entryPoints.a.address=:80', '--entryPoints.a.http.redirections.entryPoint.to=:443', '--entryPoints.a.http.redirections.entryPoint.priority=9223372036854775806'],
      });
      assert.equal(r.config?.entryPoints['a']?.http.redirections?.entryPoint.priority, Number.MAX_SAFE_INTEGER);
    });
  });
});
