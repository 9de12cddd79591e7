/**
 * circuitBreaker through the real binary with a real upstream that starts failing: closed -> open
 * (fallback status and body, the upstream no longer reached) -> recovering (a growing share goes
 * through) -> closed; NetworkErrorRatio on an unreachable server with a custom responseCode;
 * LatencyAtQuantileMS on a slow server; one breaker per router; state kept across a reload; a bad
 * expression disabling only its routers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';

const applied = (r: LogRecord): boolean => r.msg === 'configuration applied';

function dynamicYaml(flaky: string, slow: string, closedPort: number, extraRouter: boolean): string {
  return `http:
  routers:
    cb:
      rule: "Host(\`cb.test\`)"
      service: flaky
      middlewares: [breaker]
    cb2:
      rule: "Host(\`cb2.test\`)"
      service: flaky
      middlewares: [breaker]
    net:
      rule: "Host(\`net.test\`)"
      service: down
      middlewares: [netbreaker]
    slow:
      rule: "Host(\`slow.test\`)"
      service: slow
      middlewares: [latency]
    bad:
      rule: "Host(\`bad.test\`)"
      service: flaky
      middlewares: [badexpr]
    ok:
      rule: "Host(\`ok.test\`)"
      service: flaky
${extraRouter ? `    extra:\n      rule: "Host(\`extra.test\`)"\n      service: flaky\n` : ''}  middlewares:
    breaker:
      circuitBreaker:
        expression: "ResponseCodeRatio(500, 600, 0, 600) > 0.5"
        checkPeriod: 50ms
        fallbackDuration: 1s
        recoveryDuration: 2s
    netbreaker:
      circuitBreaker:
        expression: "NetworkErrorRatio() > 0.5"
        fallbackDuration: 60s
        responseCode: 429
    latency:
      circuitBreaker:
        expression: "LatencyAtQuantileMS(50.0) > 100"
        fallbackDuration: 60s
    badexpr:
      circuitBreaker:
        expression: "NetworkErrorRatio() > 1"
  services:
    flaky:
      loadBalancer:
        servers:
          - url: "${flaky}"
    slow:
      loadBalancer:
        servers:
          - url: "${slow}"
    down:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closedPort}"
`;
}

describe('circuitBreaker middleware', () => {
  let dir: string;
  let file: string;
  let tp: TurnpikeProcess;
  let port: number;
  let flaky: Upstream;
  let slow: Upstream;
  let closedPort: number;
  let failing = false;
  let hits = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const req = (host: string): Promise<{ status: number; body: string; type: string | undefined }> =>
    get(port, '/', { host, agent }).then((r) => ({ status: r.status, body: r.body, type: r.headers['content-type'] }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-cb-'));
    file = join(dir, 'dyn.yml');
    flaky = await startUpstream((_req, res) => {
      hits++;
      res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(failing ? 'boom' : 'fine');
    });
    slow = await startUpstream((_req, res) => {
      // The server is slow by nature: it answers after 150 ms.
      setTimeout(() => res.end('late'), 150);
    });
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    writeFileSync(file, dynamicYaml(flaky.url, slow.url, closedPort, false));
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      `--providers.file.filename=${file}`,
      '--providers.providersThrottleDuration=20ms',
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', applied);
  });

  after(async () => {
    agent.destroy();
    await tp?.stop();
    await flaky?.close();
    await slow?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens when the upstream starts failing, answers 503 without reaching it, recovers gradually and closes', async () => {
    failing = false;
    for (let i = 0; i < 5; i++) assert.equal((await req('cb.test')).status, 200);

    failing = true;
    const seen: number[] = [];
    const opened = await waitFor(
      'the breaker to open',
      async () => {
        const r = await req('cb.test');
        seen.push(r.status);
        return r.status === 503 ? r : undefined;
      },
      5_000,
    );
    const openedAt = Date.now();
    assert.ok(seen.slice(0, -1).every((s) => s === 500), `before opening the upstream's own 500s: ${seen.join(',')}`);
    assert.equal(opened.body, 'Service Unavailable');
    assert.equal(opened.type, 'text/plain; charset=utf-8');

    const hitsWhenOpen = hits;
    for (let i = 0; i < 10; i++) assert.equal((await req('cb.test')).status, 503);
    assert.equal(hits, hitsWhenOpen, 'an open breaker does not reach the upstream');

    // The same middleware on another router is another breaker: still closed.
    assert.equal((await req('cb2.test')).status, 500);

    failing = false;
    const statuses: { at: number; status: number }[] = [];
    await waitFor(
      'the breaker to close again',
      async () => {
        const r = await req('cb.test');
        statuses.push({ at: Date.now(), status: r.status });
        const tail = statuses.slice(-30);
        return tail.length === 30 && tail.every((s) => s.status === 200) ? true : undefined;
      },
      10_000,
    );
    const firstPass = statuses.findIndex((s) => s.status === 200);
    assert.ok(firstPass >= 0);
    const firstPassAt = (statuses[firstPass] as { at: number }).at;
    assert.ok(firstPassAt - openedAt >= 900, `nothing went through before fallbackDuration (first after ${firstPassAt - openedAt} ms)`);
    // Recovering lasts from the first request after fallbackDuration (the one before the first
    // pass, held back) for 2 s: within it both answers are mixed, more passing as time goes on.
    const recoveryStart = (statuses[Math.max(0, firstPass - 1)] as { at: number }).at;
    const during = statuses.filter((s) => s.at >= recoveryStart && s.at < recoveryStart + 1_900);
    const firstHalf = during.filter((s) => s.at < recoveryStart + 950);
    const secondHalf = during.filter((s) => s.at >= recoveryStart + 950);
    const share = (list: typeof during): number => list.filter((s) => s.status === 200).length / Math.max(1, list.length);
    assert.ok(during.some((s) => s.status === 503) && during.some((s) => s.status === 200), 'recovering lets some requests through, not all');
    assert.ok(firstHalf.length > 5 && secondHalf.length > 5, `enough samples (${firstHalf.length}, ${secondHalf.length})`);
    assert.ok(share(secondHalf) > share(firstHalf), `a growing share goes through (${share(firstHalf)} then ${share(secondHalf)})`);
  });

  it('trips on network errors (502) and answers its responseCode with the status text', async () => {
    const first = await req('net.test');
    assert.equal(first.status, 502, 'the first failure goes through');
    const next = await req('net.test');
    assert.equal(next.status, 429);
    assert.equal(next.body, 'Too Many Requests');
  });

  it('trips on latency at a quantile', async () => {
    assert.equal((await req('slow.test')).status, 200);
    assert.equal((await req('slow.test')).status, 503);
  });

  it('keeps breaker state across a reload that leaves the middleware unchanged', async () => {
    assert.equal((await req('net.test')).status, 429);
    const before = tp.count(applied);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, dynamicYaml(flaky.url, slow.url, closedPort, true));
    renameSync(tmp, file);
    await waitFor('reload applied', () => (tp.count(applied) > before ? true : undefined), 10_000);
    assert.equal((await req('extra.test')).status, 200, 'the new configuration is live');
    assert.equal((await req('net.test')).status, 429, 'still open after the reload');
  });

  it('a bad expression disables only the routers using it, with the middleware and the column named', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(
      errors.some((e) => e.includes('badexpr') && e.includes('circuitBreaker.expression') && /column 23/.test(e) && /decimal number literal/.test(e)),
      JSON.stringify(errors),
    );
    assert.equal((await req('bad.test')).status, 404);
    assert.equal((await req('ok.test')).status, 200);
  });
});
