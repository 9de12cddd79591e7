/**
 * The API through the real binary: `api.insecure` serves it on entry point `traefik`; the REST
 * lists, `turnpike explain` against it, and the history after a file change and a broken file.
 * Without `insecure` nothing answers on any port until a router names api@internal (here behind
 * basicAuth).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { get } from '../helpers/http-client.js';
import { BIN, TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor, within } from '../helpers/wait.js';

const applied = (r: LogRecord): boolean => r.msg === 'configuration applied';

function listeningPort(tp: TurnpikeProcess, ep: string): Promise<number> {
  return tp.waitForLog(`${ep} listening`, (r) => r.msg === 'entryPoint listening' && r['entryPoint'] === ep).then((r) => Number(r['port']));
}

/** Runs `turnpike explain ...`; resolves with its exit code and output. */
function explainCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, 'explain', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return within('turnpike explain', new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err }))), 20_000);
}

void describe('API through the binary', () => {
  let dir: string;
  let upstream: Upstream;
  const procs: TurnpikeProcess[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-api-'));
    upstream = await startUpstream((_req, res) => res.end('upstream'));
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (file: string, text: string): void => {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  };

  void it('api.insecure: lists, explain (API and CLI), history of a change and of a rejected file', async () => {
    const dyn = join(dir, 'dyn.yml');
    const routers = (extra: string): string => `http:
  routers:
    app:
      entryPoints: [web]
      rule: Host(\`app.test\`) && PathPrefix(\`/api\`)
      service: app
${extra}  services:
    app:
      loadBalancer:
        servers: [{url: "http://127.0.0.1:${upstream.port}"}]
`;
    write(dyn, routers(''));
    const st = join(dir, 'insecure.yml');
    writeFileSync(
      st,
      `entryPoints:
  web: {address: "127.0.0.1:0"}
  traefik: {address: "127.0.0.1:0"}
api:
  insecure: true
providers:
  providersThrottleDuration: 0s
  file: {filename: "${dyn}"}
log: {level: INFO, format: json}
`,
    );
    const tp = new TurnpikeProcess([`--configFile=${st}`]);
    procs.push(tp);
    const apiPort = await listeningPort(tp, 'traefik');
    const webPort = await listeningPort(tp, 'web');
    await tp.waitForLog('first apply', applied);

    const overview = await get(apiPort, '/api/overview');
    assert.equal(overview.status, 200);
    const o = JSON.parse(overview.body) as { http: { routers: { total: number } }; providers: string[] };
    // app@file plus the API's own router api@internal.
    assert.equal(o.http.routers.total, 2);
    assert.deepEqual(o.providers, ['File']);
    const list = JSON.parse((await get(apiPort, '/api/http/routers?search=app')).body) as { name: string; status: string }[];
    assert.deepEqual(list.map((r) => [r.name, r.status]), [['app@file', 'enabled']]);
    // The API is not on the web entry point.
    assert.equal((await get(webPort, '/api/overview', { host: 'other.test' })).status, 404);
    // The proxy itself still works.
    assert.equal((await get(webPort, '/api/x', { host: 'app.test' })).body, 'upstream');

    const url = `http://app.test:${webPort}/api/users`;
    const ex = JSON.parse((await get(apiPort, `/api/explain?url=${encodeURIComponent(url)}&entryPoint=web`)).body) as { router: { name: string }; service: { servers: { status: string }[] } };
    assert.equal(ex.router.name, 'app@file');
    assert.equal(ex.service.servers[0]?.status, 'UP');

    // The entry point listens on port 0 (the configuration does not know the real port): name it.
    const routed = await explainCli([url, '--entryPoint', 'web', '--api', `http://127.0.0.1:${apiPort}`]);
    assert.equal(routed.code, 0, routed.err);
    assert.match(routed.out, /router: +app@file/);
    assert.match(routed.out, /true +PathPrefix\(`\/api`\)/);
    const missed = await explainCli([`http://app.test:${webPort}/web`, '--entryPoint=web', '--api', `http://127.0.0.1:${apiPort}`]);
    assert.equal(missed.code, 2, missed.err);
    assert.match(missed.out, /404 page not found/);
    assert.match(missed.out, /app@file .*failed: PathPrefix\(`\/api`\)|failed: PathPrefix\(`\/api`\)/);
    const down = await explainCli([url, '--api', 'http://127.0.0.1:1']);
    assert.equal(down.code, 1);
    assert.match(down.err, /cannot reach the API/);

    // A change: a router added -> an applied entry naming it.
    write(dyn, routers(`    web:\n      entryPoints: [web]\n      rule: Host(\`app.test\`)\n      service: app\n`));
    await waitFor('second apply', () => (tp.count(applied) >= 2 ? true : undefined));
    // A broken file: the previous configuration stays, a rejected entry says why.
    write(dyn, 'http:\n  routers: [oops\n');
    const history = await waitFor('a rejected entry', async () => {
      const h = JSON.parse((await get(apiPort, '/api/history')).body) as { kind: string; providers: string[]; errors: string[]; routers?: { added: string[] } }[];
      return h.some((e) => e.kind === 'rejected') ? h : undefined;
    });
    assert.equal(history[0]?.kind, 'rejected');
    assert.deepEqual(history[0]?.providers, ['file']);
    assert.match(history[0]?.errors[0] ?? '', /invalid YAML/);
    const changes = history.filter((e) => e.kind === 'applied');
    assert.deepEqual(changes[0]?.routers?.added, ['web@file']);
    assert.deepEqual(changes[1]?.routers?.added, ['app@file']);
    assert.equal((await get(webPort, '/', { host: 'app.test' })).body, 'upstream');
  });

  void it('without insecure nothing is exposed until a router names api@internal (behind basicAuth)', async () => {
    const dyn = join(dir, 'secure-dyn.yml');
    write(
      dyn,
      `http:
  routers:
    dashboard:
      entryPoints: [web]
      rule: Host(\`admin.test\`)
      service: api@internal
      middlewares: [auth]
  middlewares:
    auth:
      basicAuth:
        users: ["test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"]
`,
    );
    const st = join(dir, 'secure.yml');
    writeFileSync(
      st,
      `entryPoints:
  web: {address: "127.0.0.1:0"}
api: {}
providers:
  file: {filename: "${dyn}"}
log: {level: INFO, format: json}
`,
    );
    const tp = new TurnpikeProcess([`--configFile=${st}`]);
    procs.push(tp);
    const webPort = await listeningPort(tp, 'web');
    await tp.waitForLog('first apply', applied);
    assert.equal(tp.count((r) => r.msg === 'entryPoint listening'), 1, 'no traefik entry point without insecure');
    assert.equal((await get(webPort, '/api/overview', { host: 'other.test' })).status, 404);
    assert.equal((await get(webPort, '/api/overview', { host: 'admin.test' })).status, 401);
    const ok = await get(webPort, '/api/http/middlewares/auth@file', { host: 'admin.test', headers: { authorization: `Basic ${Buffer.from('test:test').toString('base64')}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual((JSON.parse(ok.body) as { basicAuth: { users: string[] } }).basicAuth.users, ['xxxx']);
    assert.ok(!ok.body.includes('$apr1$'));
  });
});
