/**
 * The API never serves a secret: a configuration full of them (basicAuth/digestAuth users,
 * forwardAuth TLS key, credential headers, URL passwords, a broken middleware whose error might
 * quote one) and every endpoint's answer walked for each known secret value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigHistory } from '../../../src/api/history.js';
import { redactArgv } from '../../../src/api/redact.js';
import { buildGraph, serveApi, staticFromFlags, type ApiServer, type Built } from './fixtures.js';

const STATIC = staticFromFlags(['--entryPoints.web.address=127.0.0.1:8000', '--api']);

const BCRYPT = '$2y$05$abcdefghijklmnopqrstuuKkU8cZ4sZk5rDkxhzyCRgFPNm1YHuG6';
const APR1 = '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/';
const DIGEST_HA1 = 'a2688cdc80c8b3a3ed8e6a3a8b1e9c7f';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDsecretkeymaterial\n-----END PRIVATE KEY-----';
const TOKEN = 'Bearer s3cr3t-t0ken-value';
const URL_PASSWORD = 'hunter2-url-password';

const SECRETS = [APR1, BCRYPT, DIGEST_HA1, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDsecretkeymaterial', TOKEN, 's3cr3t-t0ken-value', URL_PASSWORD];

const FILE = {
  http: {
    routers: {
      app: { entryPoints: ['web'], rule: 'Host(`app.test`)', service: 'app', middlewares: ['basic', 'digest', 'fwd', 'hdr'] },
      other: { entryPoints: ['web'], rule: 'Host(`other.test`)', service: 'creds', middlewares: ['badauth'] },
    },
    middlewares: {
      basic: { basicAuth: { users: [`test:${APR1}`, `b:${BCRYPT}`] } },
      digest: { digestAuth: { users: [`test:traefik:${DIGEST_HA1}`] } },
      fwd: { forwardAuth: { address: 'http://127.0.0.1:9000/check', tls: { key: KEY_PEM, cert: 'cert.pem', insecureSkipVerify: true } } },
      hdr: { headers: { customRequestHeaders: { Authorization: TOKEN, 'X-Api-Token': TOKEN, 'X-Plain': 'visible' } } },
      // A users entry that is not user:hash: left out; its diagnostic (in the history) must not echo the hash.
      badauth: { basicAuth: { users: [`${APR1}`] } },
    },
    services: {
      app: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9001' }] } },
      creds: { loadBalancer: { servers: [{ url: `http://user:${URL_PASSWORD}@127.0.0.1:9002` }] } },
    },
  },
};

void describe('secrets never leave through the API', () => {
  let built: Built;
  let api: ApiServer;
  before(async () => {
    built = await buildGraph(STATIC, { file: FILE });
    const history = new ConfigHistory();
    history.record(
      { skipped: false, version: 1, snapshot: 1, routers: 2, enabled: 2, added: ['app@file', 'other@file'], removed: [], changed: [], errors: 0, ms: 1, diagnostics: [...built.snapshot.diagnostics, ...built.graph.diagnostics] },
      built.graph.view,
    );
    api = await serveApi(STATIC, () => built.graph, history);
  });
  after(async () => {
    await api.close();
    await built.close();
  });

  const PATHS = [
    '/api/rawdata',
    '/api/overview',
    '/api/http/routers',
    '/api/http/routers/app@file',
    '/api/http/middlewares',
    '/api/http/middlewares/basic@file',
    '/api/http/middlewares/digest@file',
    '/api/http/middlewares/fwd@file',
    '/api/http/middlewares/hdr@file',
    '/api/http/services',
    '/api/http/services/creds@file',
    '/api/history',
    '/api/entrypoints',
    `/api/explain?url=${encodeURIComponent('http://app.test:8000/')}`,
    `/api/explain?url=${encodeURIComponent('http://other.test:8000/')}`,
    `/api/explain?url=${encodeURIComponent('http://none.test:8000/')}`,
  ];

  void it('no response holds any secret value', async () => {
    for (const path of PATHS) {
      const r = await api.get(path);
      assert.ok(r.status === 200, `${path}: ${r.status} ${r.body}`);
      for (const secret of SECRETS) {
        assert.ok(!r.body.includes(secret) && !r.body.includes(JSON.stringify(secret).slice(1, -1)), `${path} leaks ${secret}: ${r.body}`);
      }
    }
  });

  void it('redacted fields say so; the rest stays readable', async () => {
    const basic = (await api.get('/api/http/middlewares/basic@file')).json as Record<string, Record<string, unknown>>;
    assert.deepEqual(basic['basicAuth']?.['users'], ['xxxx', 'xxxx']);
    const fwd = (await api.get('/api/http/middlewares/fwd@file')).json as Record<string, Record<string, Record<string, unknown>>>;
    assert.equal(fwd['forwardAuth']?.['tls']?.['key'], 'xxxx');
    assert.equal(fwd['forwardAuth']?.['tls']?.['cert'], 'cert.pem');
    const hdr = (await api.get('/api/http/middlewares/hdr@file')).json as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(hdr['headers']?.['customRequestHeaders'], { Authorization: 'xxxx', 'X-Api-Token': 'xxxx', 'X-Plain': 'visible' });
    const creds = (await api.get('/api/http/services/creds@file')).json as Record<string, Record<string, { url: string }[]>>;
    assert.equal(creds['loadBalancer']?.['servers']?.[0]?.url, 'http://user:xxxx@127.0.0.1:9002');
  });
});

void describe('values the schema refused stay out of the history', () => {
  // Refused values are not in the running configuration, so the response scrub cannot know them:
  // the diagnostics themselves must not quote them.
  const REFUSED = {
    http: {
      routers: { app: { entryPoints: ['web'], rule: 'Host(`app.test`)', service: 'app', middlewares: ['h1', 'f2'] } },
      middlewares: {
        h1: { headers: { customResponseHeaders: 'Set-Cookie: refused-cookie-secret' } },
        f2: { forwardAuth: { address: 'not a url refused-address-secret' } },
        f3: { forwardAuth: { address: 'ftp://user:refused-url-password@auth.test/' } },
      },
      services: { app: { loadBalancer: { servers: [{ url: 'ftp://user:refused-server-password@127.0.0.1:1' }] } } },
    },
  };
  const LEAKS = ['refused-cookie-secret', 'refused-address-secret', 'refused-url-password', 'refused-server-password'];

  void it('applied and rejected entries carry the errors without the refused values', async () => {
    const built = await buildGraph(STATIC, { file: REFUSED });
    const diagnostics = [...built.snapshot.diagnostics, ...built.graph.diagnostics];
    const history = new ConfigHistory();
    const summary = { version: 1, snapshot: 1, routers: 1, enabled: 0, added: ['app@file'], removed: [], changed: [], errors: 0, ms: 1, diagnostics };
    history.record({ ...summary, skipped: false }, built.graph.view);
    history.record({ ...summary, skipped: true, snapshot: 2 }, built.graph.view);
    const api = await serveApi(STATIC, () => built.graph, history);
    try {
      const r = await api.get('/api/history');
      assert.equal(r.status, 200);
      for (const leak of LEAKS) assert.ok(!r.body.includes(leak), `history leaks ${leak}: ${r.body}`);
      // The errors are still there, with their place in the configuration.
      assert.match(r.body, /http\.middlewares\.f2\.forwardAuth\.address: expected an http:\/\/ or https:\/\/ URL of the authentication server, got \\"xxxx\\"/);
    } finally {
      await api.close();
      await built.close();
    }
  });
});

void describe('redactArgv (/debug/vars cmdline)', () => {
  const cases: { desc: string; argv: string[]; want: string[] }[] = [
    { desc: 'flag=value named like a secret', argv: ['node', 'turnpike', '--metrics.influxDB2.token=t0k3n', '--api.insecure=true'], want: ['node', 'turnpike', '--metrics.influxDB2.token=xxxx', '--api.insecure=true'] },
    { desc: 'flag value as the next argument', argv: ['--tracing.otlp.http.headers.Authorization', 'Bearer abc', '--log.level', 'DEBUG'], want: ['--tracing.otlp.http.headers.Authorization', 'xxxx', '--log.level', 'DEBUG'] },
    { desc: 'a secret-named boolean flag before another flag', argv: ['--x.password', '--y=1'], want: ['--x.password', '--y=1'] },
  ];
  for (const c of cases) void it(c.desc, () => assert.deepEqual(redactArgv(c.argv), c.want));
});
