/**
 * The loadBalancer options read by schema/service.ts: sticky.cookie, healthCheck and
 * passiveHealthCheck, with Traefik's defaults and errors that name the key and what was expected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerConfig } from '../../../../src/config/dynamic/types.js';
import { sanitizeCookieName } from '../../../../src/config/dynamic/schema/service.js';
import { type DynamicValidation, validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';

function check(yaml: string): DynamicValidation {
  const parsed = parseDynamicFile('dyn.yml', yaml);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.diagnostic.message}`);
  return validateDynamic(parsed.raw, { source: 'dyn.yml', locate: parsed.locate });
}

/** A service `s` whose loadBalancer has one server and the given extra lines (indented 8). */
function lbYaml(lines: string[]): string {
  return ['http:', '  services:', '    s:', '      loadBalancer:', '        servers: [{url: "http://h:1"}]', ...lines.map((l) => '        ' + l)].join('\n') + '\n';
}

function lbOf(r: DynamicValidation): LoadBalancerConfig {
  const s = r.config.http.services['s'];
  if (s === undefined || s.kind !== 'loadBalancer') throw new Error(`service s missing: ${JSON.stringify(r.diagnostics)}`);
  return s.loadBalancer;
}

void describe('loadBalancer.sticky', () => {
  const cases: { desc: string; lines: string[]; want: LoadBalancerConfig['sticky'] }[] = [
    {
      desc: 'cookie: {} takes every default (name derived later from the service name)',
      lines: ['sticky:', '  cookie: {}'],
      want: { cookie: { name: undefined, secure: false, httpOnly: false, sameSite: '', maxAge: 0, path: '/', domain: '' } },
    },
    {
      desc: 'an empty cookie: value turns stickiness on too (allowEmpty)',
      lines: ['sticky:', '  cookie:'],
      want: { cookie: { name: undefined, secure: false, httpOnly: false, sameSite: '', maxAge: 0, path: '/', domain: '' } },
    },
    {
      desc: 'every field, keys case-insensitive, sameSite lower-cased, name sanitized',
      lines: ['sticky:', '  Cookie:', '    name: "my cookie;x"', '    secure: true', '    httpOnly: "true"', '    sameSite: Strict', '    maxAge: 60', '    path: /app', '    domain: example.com'],
      want: { cookie: { name: 'my_cookie_x', secure: true, httpOnly: true, sameSite: 'strict', maxAge: 60, path: '/app', domain: 'example.com' } },
    },
    { desc: 'sticky without cookie: no stickiness (as Traefik)', lines: ['sticky: {}'], want: undefined },
    { desc: 'cookie: false: no stickiness', lines: ['sticky:', '  cookie: false'], want: undefined },
    {
      desc: 'negative maxAge is kept (expire now)',
      lines: ['sticky:', '  cookie:', '    maxAge: -1'],
      want: { cookie: { name: undefined, secure: false, httpOnly: false, sameSite: '', maxAge: -1, path: '/', domain: '' } },
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(lbYaml(c.lines));
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(lbOf(r).sticky, c.want);
    });
  }

  void it('sanitizes names as Traefik (token characters kept, comma kept by its range quirk)', () => {
    assert.equal(sanitizeCookieName("a-b.c_d!#$%&'*+^`|~"), "a-b.c_d!#$%&'*+^`|~");
    assert.equal(sanitizeCookieName('a b;c=d"é,'), 'a_b_c_d__,');
  });
});

void describe('loadBalancer.healthCheck', () => {
  void it('fills Traefik defaults around the required path', () => {
    const r = check(lbYaml(['healthCheck:', '  path: /health?full=1']));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(lbOf(r).healthCheck, {
      path: '/health?full=1',
      scheme: undefined,
      mode: 'http',
      hostname: undefined,
      port: undefined,
      interval: 30_000,
      unhealthyInterval: 30_000,
      timeout: 5_000,
      headers: {},
      followRedirects: true,
      method: 'GET',
      status: 0,
    });
  });

  void it('reads every option; unhealthyInterval defaults to interval', () => {
    const r = check(
      lbYaml([
        'healthCheck:',
        '  path: /h',
        '  scheme: HTTPS',
        '  mode: grpc',
        '  hostname: app.test',
        '  port: 8443',
        '  interval: 2s',
        '  timeout: 500ms',
        '  headers: {X-Probe: "1"}',
        '  followRedirects: false',
        '  method: HEAD',
        '  status: 204',
      ]),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(lbOf(r).healthCheck, {
      path: '/h',
      scheme: 'https',
      mode: 'grpc',
      hostname: 'app.test',
      port: 8443,
      interval: 2000,
      unhealthyInterval: 2000,
      timeout: 500,
      headers: { 'X-Probe': '1' },
      followRedirects: false,
      method: 'HEAD',
      status: 204,
    });
    const r2 = check(lbYaml(['healthCheck:', '  path: /h', '  interval: 10', '  unhealthyInterval: 1s']));
    assert.equal(lbOf(r2).healthCheck?.interval, 10_000, 'a bare number is seconds');
    assert.equal(lbOf(r2).healthCheck?.unhealthyInterval, 1000);
  });

  void it('a zero interval falls back to the default with a warning (Traefik logs and does the same)', () => {
    const r = check(lbYaml(['healthCheck:', '  path: /h', '  interval: 0s']));
    assert.equal(lbOf(r).healthCheck?.interval, 30_000);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
    assert.equal(r.diagnostics[0]?.path, 'http.services.s.loadBalancer.healthCheck.interval');
  });
});

void describe('loadBalancer.passiveHealthCheck', () => {
  void it('defaults: failureWindow 10s, maxFailedAttempts 1', () => {
    const r = check(lbYaml(['passiveHealthCheck: {}']));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(lbOf(r).passiveHealthCheck, { failureWindow: 10_000, maxFailedAttempts: 1 });
  });
  void it('reads both options (a quoted integer as Traefik accepts it)', () => {
    const r = check(lbYaml(['passiveHealthCheck:', '  failureWindow: 3s', '  maxFailedAttempts: "3"']));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(lbOf(r).passiveHealthCheck, { failureWindow: 3000, maxFailedAttempts: 3 });
  });
});

void describe('loadBalancer options: errors name the key and what was expected', () => {
  const cases: { desc: string; lines: string[]; code: string; path: string; message: RegExp }[] = [
    { desc: 'healthCheck without path', lines: ['healthCheck:', '  interval: 1s'], code: 'TPK_CFG_MISSING_KEY', path: 'healthCheck.path', message: /"path" is required/ },
    { desc: 'mode tcp', lines: ['healthCheck:', '  path: /h', '  mode: tcp'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.mode', message: /expected mode http or grpc, got "tcp"/ },
    { desc: 'scheme ftp', lines: ['healthCheck:', '  path: /h', '  scheme: ftp'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.scheme', message: /expected scheme http or https/ },
    { desc: 'status 999', lines: ['healthCheck:', '  path: /h', '  status: 999'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.status', message: /<= 599/ },
    { desc: 'status 42', lines: ['healthCheck:', '  path: /h', '  status: 42'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.status', message: /between 100 and 599/ },
    { desc: 'port 70000', lines: ['healthCheck:', '  path: /h', '  port: 70000'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.port', message: /<= 65535/ },
    { desc: 'method with a space', lines: ['healthCheck:', '  path: /h', '  method: "GE T"'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.method', message: /HTTP method/ },
    { desc: 'interval not a duration', lines: ['healthCheck:', '  path: /h', '  interval: soon'], code: 'TPK_CFG_INVALID_VALUE', path: 'healthCheck.interval', message: /duration/ },
    { desc: 'unknown healthCheck key', lines: ['healthCheck:', '  path: /h', '  intervall: 1s'], code: 'TPK_CFG_UNKNOWN_KEY', path: 'healthCheck.intervall', message: /did you mean "interval"/ },
    { desc: 'sameSite foo', lines: ['sticky:', '  cookie:', '    sameSite: foo'], code: 'TPK_CFG_INVALID_VALUE', path: 'sticky.cookie.sameSite', message: /none, lax or strict/ },
    { desc: 'cookie not a mapping', lines: ['sticky:', '  cookie: [a]'], code: 'TPK_CFG_INVALID_VALUE', path: 'sticky.cookie', message: /mapping/ },
    { desc: 'maxAge not an integer', lines: ['sticky:', '  cookie:', '    maxAge: 1.5'], code: 'TPK_CFG_INVALID_VALUE', path: 'sticky.cookie.maxAge', message: /integer/ },
    { desc: 'maxFailedAttempts 0', lines: ['passiveHealthCheck:', '  maxFailedAttempts: 0'], code: 'TPK_CFG_INVALID_VALUE', path: 'passiveHealthCheck.maxFailedAttempts', message: />= 1/ },
    { desc: 'failureWindow 0s', lines: ['passiveHealthCheck:', '  failureWindow: 0s'], code: 'TPK_CFG_INVALID_VALUE', path: 'passiveHealthCheck.failureWindow', message: /> 0/ },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(lbYaml(c.lines));
      const d = r.diagnostics.find((x) => x.code === c.code);
      assert.ok(d, `expected ${c.code}, got ${JSON.stringify(r.diagnostics)}`);
      assert.equal(d.severity, 'error');
      assert.equal(d.path, `http.services.s.loadBalancer.${c.path}`);
      assert.match(d.message, c.message);
      assert.equal(d.object, 's');
      assert.equal(Object.hasOwn(r.config.http.services, 's'), false, 'the service is left out');
    });
  }
});
