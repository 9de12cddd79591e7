/** The CLI where users start: --help, version, check (errors with file:line and key), healthcheck. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { BIN, LAUNCHER, TurnpikeProcess } from '../helpers/turnpike-process.js';
import { DEFAULT_WORKERS_ENV } from '../../src/config/static/build.js';
import { waitFor } from '../helpers/wait.js';

function run(args: string[], cwd?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: cwd ?? process.cwd(), encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('turnpike CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--help lists the commands and the flags', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /check/);
    assert.match(r.out, /--entryPoints\.<name>\.address/i);
    assert.match(r.out, /--providers\.file\.filename/i);
  });

  it('bin/turnpike at the repo root runs the built CLI', () => {
    const r = spawnSync(LAUNCHER, ['version'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Version:/);
  });

  it('bin/turnpike runs through a symbolic link (as npm installs it)', () => {
    const link = join(dir, 'turnpike-link');
    symlinkSync(LAUNCHER, link);
    const r = spawnSync(link, ['version'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Version:/);
  });

  it('bin/turnpike gives a process that may run on one CPU only --single-threaded-gc, and leaves the others as they are', async () => {
    const argvOf = async (cmd: string, args: string[]): Promise<string[]> => {
      const child = spawn(cmd, args, { env: { ...process.env, [DEFAULT_WORKERS_ENV]: '1' }, stdio: 'ignore' });
      try {
        // The launcher execs node in place: same pid, node's arguments once it has.
        return await waitFor('node started by the launcher', () => {
          const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
          return argv.some((a) => a.endsWith('main.js')) ? argv : undefined;
        }, 10_000);
      } finally {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    };
    const serve = ['--entryPoints.web.address=127.0.0.1:0'];
    assert.ok((await argvOf('taskset', ['-c', '0', LAUNCHER, ...serve])).includes('--single-threaded-gc'));
    assert.equal((await argvOf(LAUNCHER, serve)).includes('--single-threaded-gc'), availableParallelism() === 1);
  });

  it('version prints the version', () => {
    const r = run(['version']);
    assert.equal(r.code, 0);
    assert.match(r.out, /Version:\s+\d+\.\d+\.\d+/);
  });

  it('check exits 0 on a clean configuration', () => {
    const dyn = join(dir, 'ok-dyn.yml');
    writeFileSync(dyn, 'http:\n  routers:\n    r:\n      rule: "Host(`a.test`)"\n      service: s\n  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:1"\n');
    const st = join(dir, 'ok.yml');
    writeFileSync(st, `entryPoints:\n  web:\n    address: ":8000"\nproviders:\n  file:\n    filename: ${dyn}\n`);
    const r = run(['check', `--configFile=${st}`]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /ok/i);
  });

  it('check names file, line and key of a static error, and exits non-zero', () => {
    const st = join(dir, 'bad.yml');
    writeFileSync(st, 'entryPoints:\n  web:\n    adress: ":8000"\n');
    const r = run(['check', `--configFile=${st}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.out + r.err, new RegExp(`bad\\.yml:3`));
    assert.match(r.out + r.err, /adress/);
  });

  it('check reports dynamic problems: bad rule, missing service, with file:line and object', () => {
    const dyn = join(dir, 'bad-dyn.yml');
    writeFileSync(dyn, 'http:\n  routers:\n    r1:\n      rule: "Host(`a.test`) &&"\n      service: s\n    r2:\n      rule: "Path(`/x`)"\n      service: missing\n  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:1"\n');
    const st = join(dir, 'dyn-ref.yml');
    writeFileSync(st, `entryPoints:\n  web:\n    address: ":8000"\nproviders:\n  file:\n    filename: ${dyn}\n`);
    const r = run(['check', `--configFile=${st}`]);
    assert.notEqual(r.code, 0);
    const text = r.out + r.err;
    assert.match(text, /bad-dyn\.yml:3.*r1@file/);
    assert.match(text, /r2@file.*missing/);
  });

  it('check reports tls errors with file:line and key, and accepts an entry point with http.tls', () => {
    const dyn = join(dir, 'tls-dyn.yml');
    writeFileSync(dyn, 'tls:\n  certificates:\n    - certFile: /c/a.crt\n  options:\n    strict:\n      minVersion: VersionTLS14\n');
    const st = join(dir, 'tls.yml');
    writeFileSync(st, `entryPoints:\n  websecure:\n    address: ":8443"\n    http:\n      tls: {}\n    http2:\n      maxConcurrentStreams: 100\nproviders:\n  file:\n    filename: ${dyn}\n`);
    const r = run(['check', `--configFile=${st}`]);
    assert.notEqual(r.code, 0);
    const text = r.out + r.err;
    assert.match(text, /tls-dyn\.yml:3.*tls\.certificates\[0\]\.keyFile/);
    assert.match(text, /tls-dyn\.yml:6.*tls\.options\.strict\.minVersion.*VersionTLS14/);
    assert.doesNotMatch(text, /tls\.yml:\d/, 'the static http.tls and http2 are accepted');
  });

  it('check treats a missing dynamic file as a warning', () => {
    const st = join(dir, 'missing.yml');
    writeFileSync(st, `entryPoints:\n  web:\n    address: ":8000"\nproviders:\n  file:\n    filename: ${join(dir, 'nope.yml')}\n`);
    const r = run(['check', `--configFile=${st}`]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out + r.err, /warning/);
  });
});

describe('turnpike healthcheck and ping', () => {
  let dir: string;
  let tp: TurnpikeProcess | undefined;
  after(async () => {
    await tp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 while the instance answers /ping, 1 when ping is off or the instance is down', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-health-'));
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const st = join(dir, 'traefik.yml');
    writeFileSync(st, `entryPoints:\n  web:\n    address: "127.0.0.1:0"\n  traefik:\n    address: "127.0.0.1:${port}"\nping: {}\nlog:\n  level: INFO\n  format: json\n`);
    const noPing = join(dir, 'noping.yml');
    writeFileSync(noPing, 'entryPoints:\n  web:\n    address: "127.0.0.1:0"\n');
    assert.equal(run(['healthcheck', `--configFile=${noPing}`]).code, 1);
    assert.equal(run(['healthcheck', `--configFile=${st}`]).code, 1, 'nothing is running yet');
    tp = new TurnpikeProcess([`--configFile=${st}`]);
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
    const ok = run(['healthcheck', `--configFile=${st}`]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /OK: http:\/\/127\.0\.0\.1:\d+\/ping/);
  });
});
