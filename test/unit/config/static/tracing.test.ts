/** `tracing`: Traefik's keys and defaults, from flags, files and environment variables. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { tempDir } from './fixtures.js';

function load(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return loadStaticConfig({ argv, env, cwd: '/tmp', searchDirs: [] });
}

const DEFAULTS = {
  serviceName: 'traefik',
  sampleRate: 1,
  resourceAttributes: {},
  capturedRequestHeaders: [],
  capturedResponseHeaders: [],
  safeQueryParams: [],
  addInternals: false,
  otlp: { http: { endpoint: 'https://localhost:4318/v1/traces', headers: {}, tls: undefined } },
};

describe('tracing static options', () => {
  const cases: { desc: string; argv: string[]; env?: NodeJS.ProcessEnv; tracing: unknown }[] = [
    { desc: 'absent = disabled', argv: ['--entryPoints.web.address=:81'], tracing: undefined },
    { desc: 'a bare --tracing: OTLP over HTTP to https://localhost:4318/v1/traces, every request sampled', argv: ['--tracing'], tracing: DEFAULTS },
    {
      desc: 'the common options',
      argv: [
        '--tracing.serviceName=edge',
        '--tracing.sampleRate=0.25',
        '--tracing.resourceAttributes.env=prod',
        '--tracing.capturedRequestHeaders=X-A,X-B',
        '--tracing.capturedResponseHeaders=X-C',
        '--tracing.safeQueryParams=page',
        '--tracing.addInternals=true',
      ],
      tracing: {
        ...DEFAULTS,
        serviceName: 'edge',
        sampleRate: 0.25,
        resourceAttributes: { env: 'prod' },
        capturedRequestHeaders: ['X-A', 'X-B'],
        capturedResponseHeaders: ['X-C'],
        safeQueryParams: ['page'],
        addInternals: true,
      },
    },
    {
      desc: 'globalAttributes (deprecated) are merged into the resource attributes, resourceAttributes winning',
      argv: ['--tracing.globalAttributes.a=1', '--tracing.globalAttributes.b=2', '--tracing.resourceAttributes.b=3'],
      tracing: { ...DEFAULTS, resourceAttributes: { a: '1', b: '3' } },
    },
    {
      desc: 'otlp.http with headers and TLS',
      argv: ['--tracing.otlp.http.endpoint=http://collector:4318/v1/traces', '--tracing.otlp.http.headers.Authorization=Bearer x', '--tracing.otlp.http.tls.insecureSkipVerify=true'],
      tracing: {
        ...DEFAULTS,
        otlp: { http: { endpoint: 'http://collector:4318/v1/traces', headers: { Authorization: 'Bearer x' }, tls: { ca: undefined, cert: undefined, key: undefined, insecureSkipVerify: true } } },
      },
    },
    {
      desc: 'otlp.grpc: localhost:4317 by default, and it wins over http',
      argv: ['--tracing.otlp.http.endpoint=http://collector:4318/v1/traces', '--tracing.otlp.grpc'],
      tracing: { ...DEFAULTS, otlp: { grpc: { endpoint: 'localhost:4317', insecure: false, headers: {}, tls: undefined } } },
    },
    {
      desc: 'from environment variables',
      argv: [],
      env: { TRAEFIK_TRACING_SAMPLERATE: '0', TRAEFIK_TRACING_OTLP_GRPC_INSECURE: 'true', TRAEFIK_TRACING_OTLP_GRPC_ENDPOINT: 'otel:4317' },
      tracing: { ...DEFAULTS, sampleRate: 0, otlp: { grpc: { endpoint: 'otel:4317', insecure: true, headers: {}, tls: undefined } } },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = load(c.argv, c.env);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config?.tracing, c.tracing);
    });
  }

  it('reads a YAML file, lists and maps included', () => {
    const dir = tempDir();
    try {
      const file = dir.write(
        'traefik.yml',
        'tracing:\n  serviceName: svc\n  capturedRequestHeaders:\n    - X-Req\n  resourceAttributes:\n    deployment.environment: test\n  otlp:\n    http:\n      endpoint: http://127.0.0.1:4318/v1/traces\n',
      );
      const r = load([`--configFile=${file}`]);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.config?.tracing?.serviceName, 'svc');
      assert.deepEqual(r.config?.tracing?.capturedRequestHeaders, ['X-Req']);
      assert.deepEqual(r.config?.tracing?.resourceAttributes, { 'deployment.environment': 'test' });
      assert.equal(r.config?.tracing?.otlp.http?.endpoint, 'http://127.0.0.1:4318/v1/traces');
    } finally {
      dir.remove();
    }
  });

  it('refuses a negative sampleRate and an unknown key, naming them', () => {
    const r = load(['--tracing.sampleRate=-1', '--tracing.otlp.http.endpiont=x']);
    assert.equal(r.config, undefined);
    assert.deepEqual(r.diagnostics.map((d) => d.path).sort(), ['tracing.otlp.http.endpiont', 'tracing.sampleRate']);
  });
});
