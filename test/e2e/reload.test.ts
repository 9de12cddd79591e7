/**
 * Hot reload without loss: the real binary, a watched dynamic file, steady load across 20
 * reloads, zero failed requests; a broken file keeps the last good configuration serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';

function dynamicYaml(a: Upstream, b: Upstream, target: 'a' | 'b', extra = ''): string {
  return `http:
  routers:
    app:
      rule: "Host(\`app.test\`)"
      service: ${target}
${extra}
  services:
    a:
      loadBalancer:
        servers:
          - url: "${a.url}"
    b:
      loadBalancer:
        servers:
          - url: "${b.url}"
`;
}

const applied = (r: LogRecord): boolean => r.msg === 'configuration applied';

describe('hot reload', () => {
  let dir: string;
  let file: string;
  let a: Upstream;
  let b: Upstream;
  let tp: TurnpikeProcess;
  let port: number;

  /** Atomic write (as editors do) so the watcher never reads a half-written file. */
  function writeConfig(text: string): void {
    const tmp = join(dir, `.tmp-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-reload-'));
    file = join(dir, 'dynamic.yml');
    a = await namedUpstream('A');
    b = await namedUpstream('B');
    writeConfig(dynamicYaml(a, b, 'a'));
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      `--providers.file.filename=${file}`,
      '--providers.providersThrottleDuration=20ms',
      '--log.format=json',
      '--log.level=INFO',
    ]);
    const listening = await tp.waitForLog('entry point listening', (r) => r.msg === 'entryPoint listening');
    port = listening.port as number;
    await tp.waitForLog('first configuration', applied);
  });

  after(async () => {
    await tp?.stop();
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the routes of the file', async () => {
    const res = await get(port, '/', { host: 'app.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'A');
  });

  it('keeps a steady load running across 20 reloads with zero failed requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const worker = async (): Promise<void> => {
      while (!stop) {
        try {
          const r = await get(port, '/', { host: 'app.test', agent });
          if (r.status !== 200) failures.push(`status ${r.status}: ${r.body}`);
          else {
            ok++;
            seen.add(r.body);
          }
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    for (let i = 1; i <= 20; i++) {
      const before = tp.count(applied);
      writeConfig(dynamicYaml(a, b, i % 2 === 1 ? 'b' : 'a', `      priority: ${100 + i}`));
      await waitFor(`reload ${i} applied`, () => (tp.count(applied) > before ? true : undefined), 10_000);
      const want = i % 2 === 1 ? 'B' : 'A';
      // The new graph is live at once: the next request goes where the file now says.
      const r = await get(port, '/', { host: 'app.test' });
      assert.equal(r.body, want, `after reload ${i}`);
    }
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    assert.deepEqual(failures, []);
    assert.ok(ok > 100, `only ${ok} requests completed`);
    assert.deepEqual([...seen].sort(), ['A', 'B']);
  });

  it('reports a file that does not parse with its line and keeps serving the last good configuration', async () => {
    const start = tp.logs.length;
    writeConfig('http:\n  routers:\n    app: [unclosed\n');
    const err = await waitFor('parse error logged', () =>
      tp.logs.slice(start).find((r) => r.msg === 'configuration error' && typeof r.error === 'string' && r.error.includes('dynamic.yml:')),
    );
    assert.match(String(err.error), /dynamic\.yml:\d+/);
    const r = await get(port, '/', { host: 'app.test' });
    assert.equal(r.status, 200);
  });

  it('disables only the invalid object and keeps the rest', async () => {
    const extraRouter = `    broken:
      rule: "Host(\`broken.test\`) &&"
      service: a
`;
    const text = dynamicYaml(a, b, 'b').replace('  services:', `${extraRouter}  services:`);
    const before = tp.count(applied);
    writeConfig(text);
    await waitFor('reload applied', () => (tp.count(applied) > before ? true : undefined));
    const ok = await get(port, '/', { host: 'app.test' });
    assert.equal(ok.body, 'B');
    // The reload is logged in one line saying what changed.
    const line = tp.logs.filter(applied).at(-1);
    assert.deepEqual(line?.added, ['broken@file']);
    assert.deepEqual(line?.removed, []);
    assert.deepEqual(line?.changed, ['app@file']);
    const broken = await get(port, '/', { host: 'broken.test' });
    assert.equal(broken.status, 404);
    const logged = tp.logs.find((r) => r.msg === 'configuration error' && String(r.error).includes('broken@file'));
    assert.ok(logged, 'the broken router is reported by name');
  });
});
