/**
 * Readers of the parent services (weighted, mirroring, failover): Traefik's defaults, and errors
 * naming the key path and what was expected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../../../src/config/dynamic/types.js';
import { type DynamicValidation, validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';

function check(yaml: string): DynamicValidation {
  const parsed = parseDynamicFile('dyn.yml', yaml);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.diagnostic.message}`);
  return validateDynamic(parsed.raw, { source: 'dyn.yml', locate: parsed.locate });
}

function service(lines: string[]): ServiceConfig | undefined {
  const r = check(['http:', '  services:', '    s:', ...lines.map((l) => `      ${l}`)].join('\n') + '\n');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.config.http.services['s'];
}

void describe('parent service readers: defaults', () => {
  const cases: { desc: string; lines: string[]; expect: ServiceConfig }[] = [
    {
      desc: 'weighted: weight defaults to 1, no sticky, no healthCheck',
      lines: ['weighted:', '  services:', '    - name: a', '    - name: b', '      weight: 3'],
      expect: { kind: 'weighted', weighted: { services: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }], sticky: undefined, healthCheck: false } },
    },
    {
      desc: 'weighted: healthCheck: {} and sticky.cookie with its defaults',
      lines: ['weighted:', '  services: [{name: a, weight: 90}, {name: b, weight: 10}]', '  healthCheck: {}', '  sticky:', '    cookie: {}'],
      expect: {
        kind: 'weighted',
        weighted: {
          services: [{ name: 'a', weight: 90 }, { name: 'b', weight: 10 }],
          sticky: { cookie: { name: undefined, secure: false, httpOnly: false, sameSite: '', maxAge: 0, path: '/', domain: '' } },
          healthCheck: true,
        },
      },
    },
    {
      desc: 'weighted: an empty healthCheck value also turns it on',
      lines: ['weighted:', '  services: [{name: a}]', '  healthCheck:'],
      expect: { kind: 'weighted', weighted: { services: [{ name: 'a', weight: 1 }], sticky: undefined, healthCheck: true } },
    },
    {
      desc: 'mirroring: percent 0, mirrorBody true, maxBodySize -1',
      lines: ['mirroring:', '  service: main', '  mirrors:', '    - name: m'],
      expect: { kind: 'mirroring', mirroring: { service: 'main', mirrors: [{ name: 'm', percent: 0 }], mirrorBody: true, maxBodySize: -1, healthCheck: false } },
    },
    {
      desc: 'mirroring: every option',
      lines: ['mirroring:', '  service: main', '  mirrors: [{name: m, percent: 100}, {name: n, percent: "10"}]', '  mirrorBody: false', '  maxBodySize: 1024', '  healthCheck: {}'],
      expect: {
        kind: 'mirroring',
        mirroring: { service: 'main', mirrors: [{ name: 'm', percent: 100 }, { name: 'n', percent: 10 }], mirrorBody: false, maxBodySize: 1024, healthCheck: true },
      },
    },
    {
      desc: 'failover',
      lines: ['failover:', '  service: main', '  fallback: backup', '  healthCheck: {}'],
      expect: { kind: 'failover', failover: { service: 'main', fallback: 'backup', healthCheck: true } },
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.deepEqual(service(c.lines), c.expect);
    });
  }
});

void describe('parent service readers: errors name the key path', () => {
  const cases: { desc: string; lines: string[]; code: string; path: string; message: RegExp }[] = [
    { desc: 'negative weight', lines: ['weighted:', '  services: [{name: a, weight: -1}]'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.weighted.services[0].weight', message: /expected an integer >= 0/ },
    { desc: 'weighted child without name', lines: ['weighted:', '  services: [{weight: 2}]'], code: 'TPK_CFG_MISSING_KEY', path: 'http.services.s.weighted.services[0].name', message: /"name" is required/ },
    { desc: 'weighted unknown key', lines: ['weighted:', '  servics: []'], code: 'TPK_CFG_UNKNOWN_KEY', path: 'http.services.s.weighted.servics', message: /did you mean "services"/ },
    { desc: 'weighted bad sticky sameSite', lines: ['weighted:', '  services: [{name: a}]', '  sticky: {cookie: {sameSite: foo}}'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.weighted.sticky.cookie.sameSite', message: /sameSite/ },
    { desc: 'options inside a parent healthCheck', lines: ['weighted:', '  services: [{name: a}]', '  healthCheck: {path: /health}'], code: 'TPK_CFG_UNKNOWN_KEY', path: 'http.services.s.weighted.healthCheck.path', message: /unknown key "path"/ },
    { desc: 'percent over 100', lines: ['mirroring:', '  service: main', '  mirrors: [{name: m, percent: 101}]'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.mirroring.mirrors[0].percent', message: /<= 100/ },
    { desc: 'negative percent', lines: ['mirroring:', '  service: main', '  mirrors: [{name: m, percent: -5}]'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.mirroring.mirrors[0].percent', message: />= 0/ },
    { desc: 'mirroring without service', lines: ['mirroring:', '  mirrors: [{name: m, percent: 5}]'], code: 'TPK_CFG_MISSING_KEY', path: 'http.services.s.mirroring.service', message: /"service" is required/ },
    { desc: 'mirror without name', lines: ['mirroring:', '  service: main', '  mirrors: [{percent: 5}]'], code: 'TPK_CFG_MISSING_KEY', path: 'http.services.s.mirroring.mirrors[0].name', message: /"name" is required/ },
    { desc: 'maxBodySize below -1', lines: ['mirroring:', '  service: main', '  maxBodySize: -2'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.mirroring.maxBodySize', message: />= -1/ },
    { desc: 'mirrorBody not a boolean', lines: ['mirroring:', '  service: main', '  mirrorBody: maybe'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.mirroring.mirrorBody', message: /true or false/ },
    { desc: 'failover without fallback', lines: ['failover:', '  service: main'], code: 'TPK_CFG_MISSING_KEY', path: 'http.services.s.failover.fallback', message: /"fallback" is required/ },
    { desc: 'failover with an empty service', lines: ['failover:', '  service: ""', '  fallback: b'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.services.s.failover.service', message: /non-empty/ },
    { desc: 'failover errors (3.x) not supported yet', lines: ['failover:', '  service: a', '  fallback: b', '  errors: {status: ["500"]}'], code: 'TPK_CFG_UNSUPPORTED', path: 'http.services.s.failover.errors', message: /not support/ },
    { desc: 'highestRandomWeight stays unsupported', lines: ['highestRandomWeight:', '  services: [{name: a}]'], code: 'TPK_CFG_UNSUPPORTED', path: 'http.services.s.highestRandomWeight', message: /not supported yet/ },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(['http:', '  services:', '    s:', ...c.lines.map((l) => `      ${l}`)].join('\n') + '\n');
      const d = r.diagnostics.find((x) => x.code === c.code);
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.equal(d.path, c.path);
      assert.match(d.message, c.message);
      assert.equal(d.object, 's');
      assert.equal(r.config.http.services['s'], undefined, 'the service is left out');
    });
  }
});
