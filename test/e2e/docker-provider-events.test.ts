/**
 * The Docker provider's event handling against a real Docker Engine (test/helpers/dockerd.ts), run
 * in-process so that its messages and logs can be read: a burst of events is coalesced, a container
 * that exits at once or is removed before it is inspected leaves no error and no state behind,
 * httpClientTimeout does not cut the event stream, and abort leaves no socket or timer running.
 * (Routing through the real binary, stop without failed requests and daemon restarts are in
 * docker-provider.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DockerProviderConfig } from '../../src/config/static/sections/docker.js';
import { createDockerProvider } from '../../src/providers/docker/provider.js';
import type { ProviderMessage } from '../../src/providers/provider.js';
import { Dockerd, dockerProviderConfig, dockerdSkipReason } from '../helpers/dockerd.js';
import { captureLogs, type LogCapture } from '../helpers/log-capture.js';
import { waitFor, within } from '../helpers/wait.js';

const skip = dockerdSkipReason();

/** A container that only sleeps (host network): routed through its port label, never dialled here. */
function sleeper(router: string, seconds: number): { cmd: string[]; labels: Record<string, string>; network: 'host' } {
  return {
    cmd: ['sleep', String(seconds)],
    network: 'host',
    labels: {
      'traefik.enable': 'true',
      [`traefik.http.routers.${router}.rule`]: `Host(\`${router}.test\`)`,
      [`traefik.http.services.${router}.loadbalancer.server.port`]: '9',
    },
  };
}

/** Resource types that outlive a provider when it leaks (sockets, pipes, ref'd timers). */
function resources(): string {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'FSReqCallback')
    .sort()
    .join(',');
}

void describe('Docker provider events against a real Docker Engine', { skip }, () => {
  let d: Dockerd;

  /** One running provider: its messages and log records. */
  class Watch {
    readonly messages: ProviderMessage[] = [];
    readonly log: LogCapture = captureLogs('debug');
    readonly #ac = new AbortController();
    readonly done: Promise<void>;

    constructor(over: Partial<DockerProviderConfig> = {}) {
      const cfg = dockerProviderConfig(d.endpoint, { exposedByDefault: false, ...over });
      this.done = createDockerProvider(cfg, { logger: this.log.logger }).start(this.#ac.signal, (m) => this.messages.push(m));
    }

    latest(): ProviderMessage | undefined {
      return this.messages[this.messages.length - 1];
    }

    /** Resolves once the latest message satisfies `ok`. */
    until(what: string, ok: (m: ProviderMessage) => boolean, ms = 15_000): Promise<ProviderMessage> {
      return waitFor(what, () => {
        const m = this.latest();
        return m !== undefined && ok(m) ? m : undefined;
      }, ms);
    }

    records(msg: string): Record<string, unknown>[] {
      return this.log.records.filter((r) => r['msg'] === msg);
    }

    /** Index of the first log record after `from` matching `ok`, waiting for it. */
    logAfter(what: string, from: number, ok: (r: Record<string, unknown>) => boolean, ms = 15_000): Promise<number> {
      return waitFor(what, () => {
        const i = this.log.records.findIndex((r, n) => n > from && ok(r));
        return i >= 0 ? i : undefined;
      }, ms);
    }

    async stop(): Promise<void> {
      this.#ac.abort();
      await within('provider stops on abort', this.done, 10_000);
    }
  }

  const routers = (m: ProviderMessage): string[] => Object.keys(m.config.http.routers).sort();
  const errors = (m: ProviderMessage): string[] => m.diagnostics.filter((x) => x.severity === 'error').map((x) => `${x.code} ${x.source ?? ''}: ${x.message}`);

  before(async () => {
    d = await Dockerd.start();
  });

  after(async () => {
    await d?.stop();
  });

  void it('a burst of events (8 containers started at once) is coalesced into fewer updates, the last one complete', async (t) => {
    const w = new Watch();
    try {
      await w.until('first message', () => true);
      const first = w.messages.length;
      const names = Array.from({ length: 8 }, (_, i) => `burst${i}`);
      await Promise.all(names.map((n) => d.run({ name: n, ...sleeper(n, 600) })));
      await w.until('all 8 routed', (m) => routers(m).join() === names.join());
      const updates = w.messages.length - first;
      const events = w.records('docker event').length;
      t.diagnostic(`${events} relevant events -> ${updates} updates`);
      assert.ok(events >= 16, `${events} events (create and start of each)`);
      assert.ok(updates < events, `${updates} updates for ${events} events: not coalesced`);
      assert.deepEqual(errors(w.latest() as ProviderMessage), []);
    } finally {
      await w.stop();
      await d.removeAll();
    }
  });

  void it('a container that exits at once and one removed before its inspection: no error, nothing kept once removed', async () => {
    const w = new Watch();
    try {
      await w.until('first message', () => true);
      const mark = w.log.records.length - 1;
      const flash = await d.run({ name: 'flash', ...sleeper('flash', 0) }); // starts and exits at once
      const ghost = await d.create({ name: 'ghost', ...sleeper('ghost', 600) });
      await ghost.remove({ force: true }); // its events are inspected after it is gone
      const event = (id: string, action: string) => (r: Record<string, unknown>) => r['msg'] === 'docker event' && r['action'] === action && r['container'] === id.slice(0, 12);
      const seen = Math.max(await w.logAfter('die of flash', mark, event(flash, 'die')), await w.logAfter('destroy of ghost', mark, event(ghost.id, 'destroy')));
      await w.logAfter('an update after both', seen, (r) => r['msg'] === 'docker configuration emitted');
      assert.deepEqual(routers(w.latest() as ProviderMessage), [], 'neither is routed');
      assert.deepEqual(errors(w.latest() as ProviderMessage), []);
      assert.deepEqual(w.log.records.filter((r) => typeof r['level'] === 'number' && r['level'] >= 40), [], 'nothing logged at WARN or above');

      const before = w.log.records.length - 1;
      await d.api.getContainer(flash).remove({ force: true });
      await w.logAfter('an update without any container', before, (r) => r['msg'] === 'docker configuration emitted' && r['containers'] === 0);
    } finally {
      await w.stop();
      await d.removeAll();
    }
  });

  void it('httpClientTimeout bounds requests, not the event stream: a die 1 s after start arrives on the same stream', async () => {
    const w = new Watch({ httpClientTimeout: 300 });
    try {
      await w.until('first message', () => true);
      await d.run({ name: 'short', ...sleeper('short', 1) });
      await w.until('short routed', (m) => routers(m).includes('short'));
      await w.until('short gone after its exit', (m) => !routers(m).includes('short'));
      assert.deepEqual(w.records('docker event stream lost, reconnecting'), []);
      assert.deepEqual(w.records('docker provider reconnected, full resync done'), []);
      assert.ok(w.records('docker event').some((r) => r['action'] === 'die'), 'the die came through the event stream');
    } finally {
      await w.stop();
      await d.removeAll();
    }
  });

  void it('abort in the middle of events leaves no socket, pipe or timer behind', async () => {
    const baseline = resources();
    const w = new Watch({ httpClientTimeout: 5000 });
    try {
      await w.until('first message', () => true);
      const id = await d.run({ name: 'stopping', ...sleeper('stopping', 600) });
      await w.until('routed', (m) => routers(m).includes('stopping'));
      const mark = w.log.records.length - 1;
      const stopped = d.api.getContainer(id).stop({ t: 1 }); // sleep ignores TERM: killed 1 s later
      await w.logAfter('kill seen', mark, (r) => r['msg'] === 'docker event' && r['action'] === 'kill');
      await w.stop(); // while the container is being stopped (a stop timer is pending)
      await stopped; // the test's own request, before looking at what is left open
      await waitFor('resources back to the baseline', () => (resources() === baseline ? true : undefined), 5000).catch(() => {
        assert.equal(resources(), baseline);
      });
    } finally {
      await w.stop(); // again when the test failed early: a provider left running would keep the process alive
      await d.removeAll();
    }
  });
});
