/**
 * Docker start delay: how long after a container's `start` event Turnpike answers 200 for it.
 *
 *   node dist/bench/docker/start-delay.js [--containers 10] [--throttle 2s] [--spacing 2100]
 *
 * Starts dockerd (test/helpers/dockerd.ts: needs dockerd and busybox-static) and the real Turnpike
 * (this build's dist/src/cli/main.js) with the Docker provider, then starts `--containers`
 * labelled busybox httpd containers one at a time, each `--spacing` ms after the previous one was
 * served (the first `--spacing` ms after the provider connected). For each: the engine's start event time
 * (timeNano) to the first 200 through Turnpike, polled every 2 ms on a keep-alive connection.
 * Prints each delay and the median and max.
 *
 * `--throttle` is providers.providersThrottleDuration: a provider's change applies at once when
 * its previous apply is older than that, else when it has passed. With Traefik's default (2s) and
 * a spacing above 2 s, each start applies at once; with starts closer together (a deploy of many
 * containers, `--spacing 0`), the delay can reach the throttle.
 *
 * Not part of `npm test`.
 */
import { Agent } from 'node:http';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parseEventLine } from '../../src/providers/docker/client.js';
import { Dockerd, freePort } from '../../test/helpers/dockerd.js';
import { get } from '../../test/helpers/http-client.js';
import { TurnpikeProcess } from '../../test/helpers/turnpike-process.js';

const say = (s: string): void => void process.stdout.write(s + '\n');

const { values: opt } = parseArgs({
  options: {
    containers: { type: 'string', default: '10' },
    throttle: { type: 'string', default: '2s' },
    spacing: { type: 'string', default: '2100' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  say('node dist/bench/docker/start-delay.js [--containers 10] [--throttle 2s] [--spacing 2100 (ms from one served to the next start)]');
  process.exit(0);
}
const count = Number(opt.containers);
const spacing = Number(opt.spacing);

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const d = await Dockerd.start();
  let tp: TurnpikeProcess | undefined;
  let events: Readable | undefined;
  try {
    const starts = new Map<string, number>();
    events = (await d.api.getEvents({ filters: { type: ['container'], event: ['start'] } })) as Readable;
    let rest = '';
    events.setEncoding('utf8');
    events.on('data', (chunk: string) => {
      rest += chunk;
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const e = parseEventLine(line);
        if (e?.action === 'start') starts.set(e.containerId, Number(e.timeNano) / 1e6);
      }
    });
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      `--providers.docker.endpoint=${d.endpoint}`,
      `--providers.providersThrottleDuration=${opt.throttle}`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    const port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('docker connected', (r) => r.msg === 'docker provider connected', 20_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const delays: number[] = [];
    let lastServed = Date.now();
    for (let i = 0; i < count; i++) {
      const p = await freePort();
      const name = `bench-${i}`;
      const c = await d.create({
        name,
        port: p,
        labels: { [`traefik.http.routers.${name}.rule`]: `Host(\`${name}.bench\`)`, [`traefik.http.services.${name}.loadbalancer.server.port`]: String(p) },
      });
      const wait = lastServed + spacing - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await c.start();
      const deadline = Date.now() + 10_000;
      let servedAt = 0;
      while (Date.now() < deadline) {
        const r = await get(port, '/', { host: `${name}.bench`, agent }).catch(() => undefined);
        if (r?.status === 200) {
          servedAt = performance.timeOrigin + performance.now();
          break;
        }
        await new Promise((res) => setTimeout(res, 2));
      }
      const startedAt = starts.get(c.id);
      if (servedAt === 0 || startedAt === undefined) throw new Error(`${name}: not served within 10 s (start event seen: ${startedAt !== undefined})`);
      lastServed = Date.now();
      const ms = servedAt - startedAt;
      delays.push(ms);
      say(`${name}: start event -> first 200: ${ms.toFixed(1)} ms`);
    }
    agent.destroy();
    say(`containers ${count}, throttle ${opt.throttle}, spacing ${spacing} ms: median ${median(delays).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms`);
  } finally {
    events?.destroy();
    await tp?.stop();
    await d.stop();
  }
}

await main();
