import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { candidateFiles, defaultSearchDirs, findConfigFile } from '../../../../src/config/static/file-search.js';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { tempDir, type TempDir } from './fixtures.js';

void describe('configuration file search', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  void it('searches /etc/traefik, $XDG_CONFIG_HOME, $HOME/.config, then the working directory', () => {
    assert.deepEqual(defaultSearchDirs({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, '/work'), ['/etc/traefik', '/xdg', '/home/u/.config', '/work']);
    assert.deepEqual(defaultSearchDirs({}, '/work', '/home/v'), ['/etc/traefik', '/home/v/.config', '/work']);
    assert.deepEqual(defaultSearchDirs({}, '/work'), ['/etc/traefik', '/work']);
  });

  void it('tries traefik then turnpike, each with .toml, .yaml, .yml, directory by directory', () => {
    assert.deepEqual(candidateFiles(['/a', '/b']), [
      '/a/traefik.toml',
      '/a/traefik.yaml',
      '/a/traefik.yml',
      '/a/turnpike.toml',
      '/a/turnpike.yaml',
      '/a/turnpike.yml',
      '/b/traefik.toml',
      '/b/traefik.yaml',
      '/b/traefik.yml',
      '/b/turnpike.toml',
      '/b/turnpike.yaml',
      '/b/turnpike.yml',
    ]);
  });

  const cases: { desc: string; files: string[]; want: string | undefined }[] = [
    { desc: 'nothing found', files: [], want: undefined },
    { desc: 'an earlier directory wins', files: ['second/traefik.toml', 'first/turnpike.yml'], want: 'first/turnpike.yml' },
    { desc: 'traefik wins over turnpike in one directory', files: ['first/turnpike.toml', 'first/traefik.yml'], want: 'first/traefik.yml' },
    { desc: '.toml wins over .yaml and .yml', files: ['first/traefik.yml', 'first/traefik.yaml', 'first/traefik.toml'], want: 'first/traefik.toml' },
    { desc: '.yaml wins over .yml', files: ['second/traefik.yml', 'second/traefik.yaml'], want: 'second/traefik.yaml' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const root = join(dir.path, `case-${cases.indexOf(c)}`);
      mkdirSync(join(root, 'first'), { recursive: true });
      mkdirSync(join(root, 'second'), { recursive: true });
      for (const f of c.files) dir.write(join(`case-${cases.indexOf(c)}`, f), 'log:\n  level: INFO\n');
      const found = findConfigFile([join(root, 'first'), join(root, 'second')]);
      assert.equal(found, c.want === undefined ? undefined : join(root, c.want));
    });
  }

  void it('ignores a directory named like a configuration file', () => {
    mkdirSync(join(dir.path, 'dirs', 'traefik.yml'), { recursive: true });
    assert.equal(findConfigFile([join(dir.path, 'dirs')]), undefined);
  });

  void it('loadStaticConfig searches $HOME/.config and the working directory by default', () => {
    const home = join(dir.path, 'home');
    const cwd = join(dir.path, 'cwd');
    mkdirSync(cwd, { recursive: true });
    const inCwd = dir.write('cwd/turnpike.yaml', 'log:\n  level: WARN\n');
    assert.deepEqual(loadStaticConfig({ argv: [], env: {}, cwd, home }).files, { static: inCwd });
    const inHome = dir.write('home/.config/traefik.toml', '[log]\nlevel = "INFO"\n');
    const r = loadStaticConfig({ argv: [], env: {}, cwd, home });
    assert.deepEqual(r.files, { static: inHome });
    assert.equal(r.config?.log.level, 'INFO');
  });
});
