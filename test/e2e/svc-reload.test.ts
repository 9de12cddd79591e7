/**
 * Reloads through the real binary: a service a reload drops stops its health checks once the new
 * configuration is in (it is disposed after the swap), while a service the reload keeps goes on
 * probing and serving; a parent with `healthCheck: {}` built over those services serves until then.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';

const applied = (r: LogRecord): boolean => r.msg === 'configuration applied';

/** An upstream answering its name, counting the health probes it receives. */
async function probed(name: string): Promise<{ upstream: Upstream; probes: { n: number } }> {
  const probes = { n: 0 };
  const upstream = await startUpstream((req, res) => {
    if (req.url === '/health') probes.n++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(name);
  });
  return { upstream, probes };
}

function lb(url: string): string[] {
  return ['      loadBalancer:', `        servers: [{url: "${url}"}]`, '        healthCheck: {path: /health, interval: 100ms, timeout: 1s}'];
}

describe('services across reloads (binary)', () => {
  let dir: string;
  let file: string;
  let tp: TurnpikeProcess;
  let port: number;
  let a: Awaited<ReturnType<typeof probed>>;
  let b: Awaited<ReturnType<typeof probed>>;

  const write = (lines: string[]): void => {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, lines.join('\n') + '\n');
    renameSync(tmp, file);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-svc-reload-'));
    file = join(dir, 'dyn.yml');
    [a, b] = await Promise.all([probed('a'), probed('b')]);
    write([
      'http:',
      '  routers:',
      '    r:',
      '      rule: Host(`app.test`)',
      '      service: top',
      '  services:',
      '    top:',
      '      weighted:',
      '        healthCheck: {}',
      '        services: [{name: a}, {name: b}]',
      '    a:',
      ...lb(a.upstream.url),
      '    b:',
      ...lb(b.upstream.url),
    ]);
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${file}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', applied);
  });

  after(async () => {
    await tp?.stop();
    await Promise.all([a?.upstream.close(), b?.upstream.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops probing the servers of services a reload dropped, keeps the others', async () => {
    await waitFor('both probed', () => (a.probes.n >= 2 && b.probes.n >= 2 ? true : undefined), 5000);
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add((await get(port, '/', { host: 'app.test' })).body);
    assert.deepEqual([...answers].sort(), ['a', 'b']);

    const applies = tp.count(applied);
    write(['http:', '  routers:', '    r:', '      rule: Host(`app.test`)', '      service: b', '  services:', '    b:', ...lb(b.upstream.url)]);
    await waitFor('reload applied', () => (tp.count(applied) > applies ? true : undefined), 10_000);
    const aAtSwap = a.probes.n;
    const bAtSwap = b.probes.n;
    // b's probes are the clock: five more of them are five intervals in which a got none.
    await waitFor('b probed on', () => (b.probes.n >= bAtSwap + 5 ? true : undefined), 5000);
    assert.ok(a.probes.n <= aAtSwap + 1, `a was probed ${a.probes.n - aAtSwap} times after the reload dropped it`);
    assert.equal((await get(port, '/', { host: 'app.test' })).body, 'b');
  });
});
