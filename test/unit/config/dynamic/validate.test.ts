import type { LoadBalancerConfig } from '../../../../src/config/dynamic/types.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../src/config/diagnostics.js';
import { type DynamicValidation, validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { DEFAULT_HEADERS_OPTIONS } from '../../../../src/config/dynamic/schema/middlewares/headers.js';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';

/** The loadBalancer of a service, when it is one. */
function lbOf(s: { kind: string } | undefined): LoadBalancerConfig {
  if (s === undefined || !('loadBalancer' in s)) throw new Error('not a loadBalancer service');
  return s.loadBalancer as LoadBalancerConfig;
}

/** Validates YAML text (through the real parser, so lines are real). */
function check(yaml: string, source = 'dyn.yml'): DynamicValidation {
  const parsed = parseDynamicFile(source, yaml);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.diagnostic.message}`);
  return validateDynamic(parsed.raw, { source, locate: parsed.locate });
}

const y = (lines: string[]): string => lines.join('\n') + '\n';

const SERVICE = ['  services:', '    svc:', '      loadBalancer:', '        servers:', '          - url: http://127.0.0.1:8080'];

void describe('validateDynamic: accepted shapes', () => {
  void it('fills Traefik defaults for a minimal router, service, middleware and transport', () => {
    const r = check(
      y([
        'http:',
        '  routers:',
        '    api:',
        '      rule: Host(`a.test`)',
        '      service: svc',
        ...SERVICE,
        '  middlewares:',
        '    strip:',
        '      stripPrefix:',
        '        prefixes: [/api]',
        '  serversTransports:',
        '    tr:',
        '      serverName: backend.internal',
      ]),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.http.routers['api'], {
      rule: 'Host(`a.test`)',
      entryPoints: undefined,
      middlewares: [],
      service: 'svc',
      priority: 0,
      tls: undefined,
    });
    assert.deepEqual(r.config.http.services['svc'], {
      kind: 'loadBalancer',
      loadBalancer: {
        servers: [{ url: 'http://127.0.0.1:8080', weight: 1, preservePath: false }],
        passHostHeader: true,
        serversTransport: undefined,
        flushInterval: 100,
        sticky: undefined,
        healthCheck: undefined,
        passiveHealthCheck: undefined,
      },
    });
    assert.deepEqual(r.config.http.middlewares['strip'], { kind: 'stripPrefix', options: { prefixes: ['/api'] } });
    assert.deepEqual(r.config.http.serversTransports['tr'], {
      serverName: 'backend.internal',
      insecureSkipVerify: false,
      rootCAs: [],
      maxIdleConnsPerHost: 2,
      forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
      certificates: [],
      cipherSuites: [],
      minVersion: undefined,
      maxVersion: undefined,
      disableHTTP2: false,
    });
    assert.equal(r.origins.get('http.routers.api')?.line, 3);
    assert.equal(r.origins.get('http.services.svc')?.line, 7);
  });

  const accepted: { desc: string; yaml: string; pick: (r: DynamicValidation) => unknown; want: unknown; warnings?: string[] }[] = [
    {
      desc: 'keys match case-insensitively (as Traefik/paerser)',
      yaml: y(['HTTP:', '  Routers:', '    r:', '      RULE: Path(`/`)', '      Service: s', '      ENTRYPOINTS: [web]']),
      pick: (r) => r.config.http.routers['r']?.entryPoints,
      want: ['web'],
    },
    {
      desc: 'scalars convert as Traefik: "10" priority, "false" passHostHeader, 1 as a string',
      yaml: y([
        'http:',
        '  routers: {r: {rule: "Path(`/`)", service: 1, priority: "10"}}',
        '  services: {s: {loadBalancer: {passHostHeader: "false", servers: [{url: "http://h"}]}}}',
      ]),
      pick: (r) => [r.config.http.routers['r']?.priority, r.config.http.routers['r']?.service, lbOf(r.config.http.services['s']).passHostHeader],
      want: [10, '1', false],
    },
    {
      desc: 'negative priority is allowed; the maximum is MaxInt64-1000',
      yaml: y(['http:', '  routers:', '    a: {rule: "Path(`/`)", service: s, priority: -5}', '    b: {rule: "Path(`/`)", service: s, priority: 9223372036854774807}']),
      pick: (r) => [r.config.http.routers['a']?.priority, r.diagnostics.length, 'b' in r.config.http.routers],
      want: [-5, 0, true],
    },
    {
      desc: 'an empty entryPoints list means the default entry points',
      yaml: y(['http:', '  routers: {r: {rule: "Path(`/`)", service: s, entryPoints: []}}']),
      pick: (r) => r.config.http.routers['r']?.entryPoints,
      want: undefined,
    },
    {
      desc: 'tls: {} / empty / true all make an HTTPS-only router; false does not',
      yaml: y([
        'http:',
        '  routers:',
        '    a: {rule: "Path(`/`)", service: s, tls: {}}',
        '    b:',
        '      rule: Path(`/`)',
        '      service: s',
        '      tls:',
        '    c: {rule: "Path(`/`)", service: s, tls: true}',
        '    d: {rule: "Path(`/`)", service: s, tls: false}',
      ]),
      pick: (r) => ['a', 'b', 'c', 'd'].map((n) => r.config.http.routers[n]?.tls),
      want: [{}, {}, {}, undefined],
    },
    {
      desc: 'tls options, certResolver and domains are kept as given',
      yaml: y([
        'http:',
        '  routers:',
        '    r:',
        '      rule: Host(`a.test`)',
        '      service: s',
        '      ruleSyntax: v3',
        '      observability: {accessLogs: false, metrics: true, tracing: true, traceVerbosity: detailed}',
        '      tls:',
        '        options: modern',
        '        certResolver: le',
        '        domains:',
        '          - main: a.test',
        '            sans: ["*.a.test"]',
      ]),
      pick: (r) => r.config.http.routers['r']?.tls,
      want: { options: 'modern', certResolver: 'le', domains: [{ main: 'a.test', sans: ['*.a.test'] }] },
    },
    {
      desc: 'durations: Go strings, bare integers are seconds, negative flushInterval allowed',
      yaml: y([
        'http:',
        '  services:',
        '    a: {loadBalancer: {servers: [], responseForwarding: {flushInterval: 1s}}}',
        '    b: {loadBalancer: {servers: [], responseForwarding: {flushInterval: 2}}}',
        '    c: {loadBalancer: {servers: [], responseForwarding: {flushInterval: -1ms}}}',
        '  serversTransports:',
        '    t: {forwardingTimeouts: {dialTimeout: 1m30s, responseHeaderTimeout: 500ms, idleConnTimeout: 0}}',
      ]),
      pick: (r) => [
        lbOf(r.config.http.services['a']).flushInterval,
        lbOf(r.config.http.services['b']).flushInterval,
        lbOf(r.config.http.services['c']).flushInterval,
        r.config.http.serversTransports['t']?.forwardingTimeouts,
      ],
      want: [1000, 2000, -1, { dialTimeout: 90_000, responseHeaderTimeout: 500, idleConnTimeout: 0 }],
    },
    {
      desc: 'servers: {} (the FAQ 503 service) and a missing servers list are an empty list',
      yaml: y(['http:', '  services:', '    a: {loadBalancer: {servers: {}}}', '    b: {loadBalancer: {}}']),
      pick: (r) => [lbOf(r.config.http.services['a']).servers, lbOf(r.config.http.services['b']).servers],
      want: [[], []],
    },
    {
      desc: 'server weight, preservePath, serversTransport and strategy wrr',
      yaml: y(['http:', '  services:', '    a:', '      loadBalancer:', '        strategy: wrr', '        serversTransport: tr@file', '        servers:', '          - {url: "https://h:8443/base", weight: 0, preservePath: true}']),
      pick: (r) => lbOf(r.config.http.services['a']),
      want: { servers: [{ url: 'https://h:8443/base', weight: 0, preservePath: true }], passHostHeader: true, serversTransport: 'tr@file', flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined },
    },
    {
      desc: 'headers maps: numbers become text, an empty value removes the header',
      yaml: y(['http:', '  middlewares:', '    h:', '      headers:', '        customRequestHeaders: {X-Num: 42, X-Drop: ""}', '        customResponseHeaders:', '          X-Empty:']),
      pick: (r) => r.config.http.middlewares['h'],
      want: { kind: 'headers', options: { ...DEFAULT_HEADERS_OPTIONS, customRequestHeaders: { 'X-Num': '42', 'X-Drop': '' }, customResponseHeaders: { 'X-Empty': '' } } },
    },
    {
      desc: 'addPrefix',
      yaml: y(['http:', '  middlewares: {p: {addPrefix: {prefix: /v1}}}']),
      pick: (r) => r.config.http.middlewares['p'],
      want: { kind: 'addPrefix', options: { prefix: '/v1' } },
    },
    {
      desc: 'stripPrefix.forceSlash is deprecated: a warning, the middleware still applies',
      yaml: y(['http:', '  middlewares: {p: {stripPrefix: {prefixes: [/a], forceSlash: true}}}']),
      pick: (r) => r.config.http.middlewares['p'],
      want: { kind: 'stripPrefix', options: { prefixes: ['/a'] } },
      warnings: ['TPK_CFG_DEPRECATED'],
    },
    {
      desc: 'maxIdleConnsPerHost: 0 is Go default 2, negative keeps none',
      yaml: y(['http:', '  serversTransports:', '    a: {maxIdleConnsPerHost: 0}', '    b: {maxIdleConnsPerHost: -1}', '    c: {maxIdleConnsPerHost: 42, insecureSkipVerify: true, rootCAs: [/ca.pem]}']),
      pick: (r) => ['a', 'b', 'c'].map((n) => r.config.http.serversTransports[n]?.maxIdleConnsPerHost),
      want: [2, 0, 42],
    },
    {
      desc: 'an empty document is an empty configuration',
      yaml: '# nothing here\n',
      pick: (r) => r.config.http.routers,
      want: {},
    },
    {
      desc: 'a router named __proto__ is an ordinary name',
      yaml: y(['http:', '  routers: {__proto__: {rule: "Path(`/`)", service: s}}']),
      pick: (r) => Object.keys(r.config.http.routers),
      want: ['__proto__'],
    },
  ];
  for (const c of accepted) {
    void it(c.desc, () => {
      const r = check(c.yaml);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.deepEqual(r.diagnostics.map((d) => d.code), c.warnings ?? []);
      assert.deepEqual(c.pick(r), c.want);
    });
  }
});

interface Rejected {
  desc: string;
  yaml: string;
  code: string;
  object?: string;
  path: string;
  line: number;
  /** The object that must be left out (collection.name). */
  leftOut?: string;
  message?: RegExp;
}

const rejected: Rejected[] = [
  {
    desc: 'router without rule',
    yaml: y(['http:', '  routers:', '    r:', '      service: s']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 'r',
    path: 'http.routers.r.rule',
    line: 3,
    leftOut: 'routers.r',
  },
  {
    desc: 'router without service',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 'r',
    path: 'http.routers.r.service',
    line: 3,
    leftOut: 'routers.r',
  },
  {
    desc: 'router with an empty rule',
    yaml: y(['http:', '  routers:', '    r:', '      service: s', '      rule: "  "']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'r',
    path: 'http.routers.r.rule',
    line: 5,
    leftOut: 'routers.r',
  },
  {
    desc: 'misspelt router key, with a suggestion',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      middlewres: [a]']),
    code: 'TPK_CFG_UNKNOWN_KEY',
    object: 'r',
    path: 'http.routers.r.middlewres',
    line: 6,
    leftOut: 'routers.r',
    message: /did you mean "middlewares"/,
  },
  {
    desc: 'non-integer priority',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      priority: 1.5']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'r',
    path: 'http.routers.r.priority',
    line: 6,
    leftOut: 'routers.r',
  },
  {
    desc: 'priority above MaxInt64-1000',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      priority: 9223372036854775000']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'r',
    path: 'http.routers.r.priority',
    line: 6,
  },
  {
    desc: 'ruleSyntax v2 is not supported yet',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      ruleSyntax: v2']),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 'r',
    path: 'http.routers.r.ruleSyntax',
    line: 6,
    leftOut: 'routers.r',
  },
  {
    desc: 'parentRefs (multi-layer routing) is not supported yet',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      parentRefs: [p]']),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 'r',
    path: 'http.routers.r.parentRefs',
    line: 6,
  },
  {
    desc: 'a name with @ is refused',
    yaml: y(['http:', '  routers:', '    r@docker:', '      rule: Path(`/`)', '      service: s']),
    code: 'TPK_CFG_INVALID_NAME',
    object: 'r@docker',
    path: 'http.routers.r@docker',
    line: 3,
  },
  {
    desc: 'the same key twice with different case',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      Rule: Path(`/x`)', '      service: s']),
    code: 'TPK_CFG_DUPLICATE_KEY',
    object: 'r',
    path: 'http.routers.r.Rule',
    line: 5,
  },
  {
    desc: 'entryPoints item that is not a string',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      entryPoints:', '        - web', '        - {a: 1}']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'r',
    path: 'http.routers.r.entryPoints[1]',
    line: 8,
  },
  {
    desc: 'bad traceVerbosity',
    yaml: y(['http:', '  routers:', '    r:', '      rule: Path(`/`)', '      service: s', '      observability:', '        traceVerbosity: loud']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'r',
    path: 'http.routers.r.observability.traceVerbosity',
    line: 7,
  },
  {
    desc: 'service with no kind',
    yaml: y(['http:', '  services:', '    s: {}']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 's',
    path: 'http.services.s',
    line: 3,
  },
  {
    desc: 'service with two kinds',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer: {servers: []}', '      weighted: {services: []}']),
    code: 'TPK_CFG_MULTI_TYPES',
    object: 's',
    path: 'http.services.s',
    line: 3,
    leftOut: 'services.s',
  },
  ...(['highestRandomWeight'] as const).map((kind) => ({
    desc: `${kind} services are unsupported for now`,
    yaml: y(['http:', '  services:', '    s:', `      ${kind}: {}`]),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 's',
    path: `http.services.s.${kind}`,
    line: 4,
  })),
  {
    desc: 'loadBalancer.healthCheck needs a path (sticky, healthCheck, passiveHealthCheck are read: service-lb.test.ts)',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        servers: [{url: "http://h"}]', '        healthCheck: {}']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 's',
    path: 'http.services.s.loadBalancer.healthCheck.path',
    line: 6,
    leftOut: 'services.s',
  },
  {
    desc: 'strategy p2c is unsupported for now',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        strategy: p2c']),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 's',
    path: 'http.services.s.loadBalancer.strategy',
    line: 5,
  },
  {
    desc: 'service-level middlewares (3.x) are unsupported for now',
    yaml: y(['http:', '  services:', '    s:', '      middlewares: [m]', '      loadBalancer: {}']),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 's',
    path: 'http.services.s.middlewares',
    line: 4,
  },
  {
    desc: 'server without url',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        servers:', '          - weight: 2']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 's',
    path: 'http.services.s.loadBalancer.servers[0].url',
    line: 6,
  },
  {
    desc: 'server url with a non-HTTP scheme',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        servers:', '          - url: ftp://h']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 's',
    path: 'http.services.s.loadBalancer.servers[0].url',
    line: 6,
  },
  {
    desc: 'server url that is not a URL',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        servers:', '          - url: http//nope']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 's',
    path: 'http.services.s.loadBalancer.servers[0].url',
    line: 6,
  },
  {
    desc: 'server url with a scheme other than http, https, h2c',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        servers:', '          - url: http://a', '          - url: ws://b:8080']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 's',
    path: 'http.services.s.loadBalancer.servers[1].url',
    line: 7,
  },
  {
    desc: 'negative server weight',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        servers:', '          - url: http://a', '            weight: -1']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 's',
    path: 'http.services.s.loadBalancer.servers[0].weight',
    line: 7,
  },
  {
    desc: 'passHostHeader that is not a boolean',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        passHostHeader: maybe']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 's',
    path: 'http.services.s.loadBalancer.passHostHeader',
    line: 5,
  },
  {
    desc: 'flushInterval without a unit and not an integer',
    yaml: y(['http:', '  services:', '    s:', '      loadBalancer:', '        responseForwarding:', '          flushInterval: 1.5']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 's',
    path: 'http.services.s.loadBalancer.responseForwarding.flushInterval',
    line: 6,
  },
  {
    desc: 'middleware with two types (Traefik: multi-types middleware not supported)',
    yaml: y(['http:', '  middlewares:', '    m:', '      addPrefix: {prefix: /a}', '      stripPrefix: {prefixes: [/b]}']),
    code: 'TPK_CFG_MULTI_TYPES',
    object: 'm',
    path: 'http.middlewares.m',
    line: 3,
    leftOut: 'middlewares.m',
    message: /multi-types middleware not supported/,
  },
  {
    desc: 'middleware with no type',
    yaml: y(['http:', '  middlewares:', '    m: {}']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 'm',
    path: 'http.middlewares.m',
    line: 3,
  },
  ...(['plugin', 'encodedCharacters'] as const).map((type) => ({
    desc: `Traefik's ${type} middleware is unsupported for now`,
    yaml: y(['http:', '  middlewares:', '    m:', `      ${type}: {}`]),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 'm',
    path: `http.middlewares.m.${type}`,
    line: 4,
    leftOut: 'middlewares.m',
  })),
  {
    desc: 'a middleware type Traefik does not have, with a suggestion',
    yaml: y(['http:', '  middlewares:', '    m:', '      stripPrefx: {prefixes: [/a]}']),
    code: 'TPK_CFG_UNKNOWN_KEY',
    object: 'm',
    path: 'http.middlewares.m.stripPrefx',
    line: 4,
    message: /did you mean "stripPrefix"/,
  },
  {
    desc: 'headers option that is not a boolean',
    yaml: y(['http:', '  middlewares:', '    m:', '      headers:', '        customRequestHeaders: {X-A: b}', '        frameDeny: sometimes']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'm',
    path: 'http.middlewares.m.headers.frameDeny',
    line: 6,
  },
  {
    desc: 'addPrefix without prefix',
    yaml: y(['http:', '  middlewares:', '    m:', '      addPrefix: {}']),
    code: 'TPK_CFG_MISSING_KEY',
    object: 'm',
    path: 'http.middlewares.m.addPrefix.prefix',
    line: 4,
  },
  {
    desc: 'header name with a space',
    yaml: y(['http:', '  middlewares:', '    m:', '      headers:', '        customResponseHeaders:', '          "Bad Name": x']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'm',
    path: 'http.middlewares.m.headers.customResponseHeaders.Bad Name',
    line: 6,
  },
  {
    desc: 'header value with a line break',
    yaml: y(['http:', '  middlewares:', '    m:', '      headers:', '        customRequestHeaders:', '          X-A: "a\\r\\nX-Injected: 1"']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 'm',
    path: 'http.middlewares.m.headers.customRequestHeaders.X-A',
    line: 6,
  },
  ...(['spiffe', 'peerCertURI'] as const).map((key) => ({
    desc: `serversTransport.${key} is unsupported for now`,
    yaml: y(['http:', '  serversTransports:', '    t:', `      ${key}: []`]),
    code: 'TPK_CFG_UNSUPPORTED',
    object: 't',
    path: `http.serversTransports.t.${key}`,
    line: 4,
    leftOut: 'serversTransports.t',
  })),
  {
    desc: 'negative forwardingTimeouts.pingTimeout (HTTP/2)',
    yaml: y(['http:', '  serversTransports:', '    t:', '      forwardingTimeouts:', '        pingTimeout: -15s']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 't',
    path: 'http.serversTransports.t.forwardingTimeouts.pingTimeout',
    line: 5,
  },
  {
    desc: 'negative dialTimeout',
    yaml: y(['http:', '  serversTransports:', '    t:', '      forwardingTimeouts:', '        dialTimeout: -1s']),
    code: 'TPK_CFG_INVALID_VALUE',
    object: 't',
    path: 'http.serversTransports.t.forwardingTimeouts.dialTimeout',
    line: 5,
  },
  ...(['tcp', 'udp'] as const).map((section) => ({
    desc: `the ${section} section is unsupported for now`,
    yaml: y([`${section}:`, '  whatever: {}']),
    code: 'TPK_CFG_UNSUPPORTED',
    path: section,
    line: 1,
  })),
  {
    desc: 'misspelt http section key',
    yaml: y(['http:', '  routes: {}']),
    code: 'TPK_CFG_UNKNOWN_KEY',
    path: 'http.routes',
    line: 2,
    message: /did you mean "routers"/,
  },
  {
    desc: 'misspelt top-level key',
    yaml: y(['htpp:', '  routers: {}']),
    code: 'TPK_CFG_UNKNOWN_KEY',
    path: 'htpp',
    line: 1,
    message: /did you mean "http"/,
  },
  {
    desc: 'a collection that is not a mapping',
    yaml: y(['http:', '  routers: [a, b]']),
    code: 'TPK_CFG_INVALID_VALUE',
    path: 'http.routers',
    line: 2,
  },
];

void describe('validateDynamic: rejected objects', () => {
  for (const c of rejected) {
    void it(c.desc, () => {
      const r = check(c.yaml);
      const d = r.diagnostics.find((x) => x.code === c.code);
      assert.ok(d, `expected ${c.code}, got ${JSON.stringify(r.diagnostics)}`);
      assert.equal(d.severity, 'error');
      assert.equal(d.object, c.object);
      assert.equal(d.path, c.path);
      assert.equal(d.line, c.line);
      assert.equal(d.source, 'dyn.yml');
      if (c.message) assert.match(d.message, c.message);
      if (c.leftOut) {
        const [collection, name] = c.leftOut.split('.') as [keyof DynamicValidation['config']['http'], string];
        assert.equal(Object.hasOwn(r.config.http[collection], name), false, `${c.leftOut} should be left out`);
        assert.ok(r.origins.has(`http.${c.leftOut}`), 'a left-out object still has an origin');
      }
    });
  }
});

void describe('validateDynamic: isolation and output', () => {
  void it('leaves out only the broken objects', () => {
    const r = check(
      y([
        'http:',
        '  routers:',
        '    good: {rule: "Path(`/a`)", service: svc}',
        '    bad: {rule: "Path(`/b`)"}',
        '    alsoGood: {rule: "Path(`/c`)", service: svc}',
        ...SERVICE,
        '    broken: {loadBalancer: {servers: [{url: nope}]}}',
        '  middlewares:',
        '    auth: {basicAuth: {users: ["no-colon"]}}',
        '    strip: {stripPrefix: {prefixes: [/x]}}',
      ]),
    );
    assert.deepEqual(Object.keys(r.config.http.routers).sort(), ['alsoGood', 'good']);
    assert.deepEqual(Object.keys(r.config.http.services), ['svc']);
    assert.deepEqual(Object.keys(r.config.http.middlewares), ['strip']);
    assert.deepEqual(r.diagnostics.map((d: Diagnostic) => d.object).sort(), ['auth', 'bad', 'broken']);
  });

  void it('lists each object left out with its own errors (rejected), warnings excluded', () => {
    const r = check(
      y([
        'http:',
        '  routers:',
        '    good: {rule: "Path(`/a`)", service: svc}',
        '    bad: {rule: "Path(`/b`)", priority: x}',
        '    "a@b": {rule: "Path(`/c`)", service: svc}',
        ...SERVICE,
        '  middlewares:',
        '    auth: {basicAuth: {users: ["no-colon"]}}',
      ]),
    );
    assert.deepEqual([...r.rejected.keys()].sort(), ['http.middlewares.auth', 'http.routers.a@b', 'http.routers.bad']);
    assert.deepEqual(r.rejected.get('http.routers.bad')?.map((d) => d.code).sort(), ['TPK_CFG_INVALID_VALUE', 'TPK_CFG_MISSING_KEY']);
    for (const errors of r.rejected.values()) for (const d of errors) assert.ok(r.diagnostics.includes(d), 'the same diagnostic objects');
  });

  void it('reports every problem of an object, not only the first', () => {
    const r = check(y(['http:', '  routers:', '    r: {priority: x, tls: 3}']));
    assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), ['TPK_CFG_INVALID_VALUE', 'TPK_CFG_INVALID_VALUE', 'TPK_CFG_MISSING_KEY', 'TPK_CFG_MISSING_KEY']);
  });

  void it('rejects a top level that is not a mapping', () => {
    const r = validateDynamic(['http'], { source: 'x' });
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['TPK_CFG_INVALID_VALUE']);
  });

  void it('works without a locator (no line) and on plain objects', () => {
    const r = validateDynamic({ http: { routers: { r: { rule: 'Path(`/`)' } } } }, { source: 'label' });
    assert.equal(r.diagnostics[0]?.line, undefined);
    assert.equal(r.diagnostics[0]?.source, 'label');
  });

  void it('returns deeply frozen data', () => {
    const r = check(y(['http:', '  routers: {r: {rule: "Path(`/`)", service: s, middlewares: [a]}}', ...SERVICE]));
    assert.ok(Object.isFrozen(r));
    assert.ok(Object.isFrozen(r.config.http.routers));
    assert.ok(Object.isFrozen(r.config.http.routers['r']?.middlewares));
    assert.ok(Object.isFrozen(lbOf(r.config.http.services['svc']).servers[0]));
    assert.ok(Object.isFrozen(r.diagnostics));
    assert.throws(() => {
      (r.config.http.routers as Record<string, unknown>)['x'] = 1;
    }, TypeError);
  });
});
