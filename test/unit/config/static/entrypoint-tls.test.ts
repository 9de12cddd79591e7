import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import type { EntryPointConfig } from '../../../../src/config/static/types.js';
import { tempDir, type TempDir } from './fixtures.js';

void describe('entryPoints.<name>.http.tls and http2', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  const load = (argv: string[], env: Record<string, string> = {}): ReturnType<typeof loadStaticConfig> => loadStaticConfig({ argv, env, cwd: dir.path, searchDirs: [] });
  const ep = (r: ReturnType<typeof loadStaticConfig>, name: string): EntryPointConfig | undefined => r.config?.entryPoints[name];

  const FULL = { options: 'modern@file', certResolver: 'le', domains: [{ main: 'example.com', sans: ['a.example.com', 'b.example.com'] }, { main: 'other.test', sans: [] }] };

  const cases: { desc: string; argv?: string[]; env?: Record<string, string>; file?: [string, string]; tls: unknown; streams: number }[] = [
    {
      desc: 'YAML file with every field',
      file: [
        'traefik.yml',
        [
          'entryPoints:',
          '  websecure:',
          '    address: ":8443"',
          '    http:',
          '      tls:',
          '        options: modern@file',
          '        certResolver: le',
          '        domains:',
          '          - main: example.com',
          '            sans: [a.example.com, b.example.com]',
          '          - main: other.test',
          '    http2:',
          '      maxConcurrentStreams: 100',
        ].join('\n'),
      ],
      tls: FULL,
      streams: 100,
    },
    {
      desc: 'TOML file',
      file: [
        'traefik.toml',
        [
          '[entryPoints.websecure]',
          'address = ":8443"',
          '[entryPoints.websecure.http.tls]',
          'options = "modern@file"',
          'certResolver = "le"',
          '[[entryPoints.websecure.http.tls.domains]]',
          'main = "example.com"',
          'sans = ["a.example.com", "b.example.com"]',
          '[[entryPoints.websecure.http.tls.domains]]',
          'main = "other.test"',
          '[entryPoints.websecure.http2]',
          'maxConcurrentStreams = 100',
        ].join('\n'),
      ],
      tls: FULL,
      streams: 100,
    },
    {
      desc: 'YAML `tls:` with no value is an empty http.tls',
      file: ['empty.yml', ['entryPoints:', '  websecure:', '    address: ":8443"', '    http:', '      tls:'].join('\n')],
      tls: { options: undefined, certResolver: undefined, domains: [] },
      streams: 250,
    },
    {
      desc: '--entryPoints.websecure.http.tls=true makes an empty http.tls (as Traefik)',
      argv: ['--entryPoints.websecure.address=:8443', '--entryPoints.websecure.http.tls=true'],
      tls: { options: undefined, certResolver: undefined, domains: [] },
      streams: 250,
    },
    {
      desc: 'a bare --entryPoints.websecure.http.tls flag too',
      argv: ['--entryPoints.websecure.address=:8443', '--entryPoints.websecure.http.tls'],
      tls: { options: undefined, certResolver: undefined, domains: [] },
      streams: 250,
    },
    {
      desc: 'flags with options, domains by index and http2',
      argv: [
        '--entryPoints.websecure.address=:8443',
        '--entryPoints.websecure.http.tls.options=modern@file',
        '--entrypoints.websecure.http.tls.certresolver=le',
        '--entryPoints.websecure.http.tls.domains[0].main=example.com',
        '--entryPoints.websecure.http.tls.domains[0].sans=a.example.com,b.example.com',
        '--entryPoints.websecure.http.tls.domains[1].main=other.test',
        '--entryPoints.websecure.http2.maxConcurrentStreams=100',
      ],
      tls: FULL,
      streams: 100,
    },
    {
      desc: 'environment variables',
      env: {
        TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS: ':8443',
        TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS_OPTIONS: 'modern@file',
        TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS_CERTRESOLVER: 'le',
        TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_0_MAIN: 'example.com',
        TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_0_SANS: 'a.example.com,b.example.com',
        TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_1_MAIN: 'other.test',
        TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP2_MAXCONCURRENTSTREAMS: '100',
      },
      tls: FULL,
      streams: 100,
    },
    {
      desc: 'TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS=true',
      env: { TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS: ':8443', TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS: 'true' },
      tls: { options: undefined, certResolver: undefined, domains: [] },
      streams: 250,
    },
    {
      desc: 'no http.tls: absent; http2 defaults',
      argv: ['--entryPoints.web.address=:8000'],
      tls: undefined,
      streams: 250,
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const argv = c.argv ?? (c.file === undefined ? [] : [`--configFile=${dir.write(c.file[0], c.file[1])}`]);
      const r = load(argv, c.env);
      assert.deepEqual(r.diagnostics, []);
      const name = c.tls === undefined ? 'web' : 'websecure';
      assert.deepEqual(ep(r, name)?.http.tls, c.tls);
      assert.equal(c.tls === undefined ? 'tls' in (ep(r, name)?.http ?? {}) : true, c.tls !== undefined, 'absent http.tls leaves no key');
      assert.deepEqual(ep(r, name)?.http2, { maxConcurrentStreams: c.streams });
    });
  }

  const bad: { desc: string; argv: string[]; path: string }[] = [
    { desc: 'maxConcurrentStreams must be > 0', argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http2.maxConcurrentStreams=0'], path: 'entryPoints.web.http2.maxConcurrentStreams' },
    { desc: 'maxConcurrentStreams must be an integer', argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http2.maxConcurrentStreams=many'], path: 'entryPoints.web.http2.maxConcurrentStreams' },
    { desc: 'an empty options name', argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.tls.options='], path: 'entryPoints.web.http.tls.options' },
    { desc: 'http.tls=yes is not a section', argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.tls=yes'], path: 'entryPoints.web.http.tls' },
  ];
  for (const c of bad) {
    void it(`rejects: ${c.desc}`, () => {
      const r = load(c.argv);
      assert.equal(r.config, undefined);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.path]),
        [['error', c.path]],
      );
    });
  }

  void it('the other http2 options stay unsupported, with their line', () => {
    const file = dir.write('h2.yml', ['entryPoints:', '  web:', '    address: ":80"', '    http2:', '      maxDecoderHeaderTableSize: 8192'].join('\n'));
    const r = load([`--configFile=${file}`]);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.path]),
      [['TPK_CFG_UNSUPPORTED', 5, 'entryPoints.web.http2.maxDecoderHeaderTableSize']],
    );
  });
});
