/**
 * The chain middleware through the real binary: middlewares run in the listed order, chains nest
 * and take qualified names, entry-point middlewares run before the router's, and a reference loop,
 * a missing or an invalid member disables the routers that use the chain with a message naming
 * the middleware and the reason (the loop spelled out) while every other router keeps serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get, type SimpleResponse } from '../helpers/http-client.js';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

const MIDDLEWARES = `
  middlewares:
    strip:
      stripPrefix:
        prefixes: [/api]
    add:
      addPrefix:
        prefix: /v2
    hdr:
      headers:
        customRequestHeaders:
          X-Order: chain
          X-Chain: "yes"
    ephdr:
      headers:
        customRequestHeaders:
          X-Order: entrypoint
          X-Ep: "yes"
    inner:
      chain:
        middlewares: [strip, add]
    outer:
      chain:
        middlewares: [inner, hdr@file]
    empty:
      chain: {}
    loopa:
      chain:
        middlewares: [loopb]
    loopb:
      chain:
        middlewares: [loopa]
    self:
      chain:
        middlewares: [self]
    missing:
      chain:
        middlewares: [strip, nope]
    usesbad:
      chain:
        middlewares: [badone]
    badone:
      replacePath: {}
`;

/** [router name, Host, middlewares] */
const ROUTERS: readonly (readonly [string, string, string])[] = [
  ['outer', 'outer.test', 'outer'],
  ['inner', 'inner.test', 'inner'],
  ['twice', 'twice.test', 'inner, inner'],
  ['empty', 'empty.test', 'empty'],
  ['loop', 'loop.test', 'loopa'],
  ['self', 'self.test', 'self'],
  ['missing', 'missing.test', 'missing'],
  ['usesbad', 'usesbad.test', 'usesbad'],
];

describe('chain middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;

  const send = (host: string, path: string): Promise<SimpleResponse> => get(port, path, { host });
  const seen = (r: SimpleResponse): Seen => {
    assert.equal(r.status, 200, `upstream reached (got ${r.status} ${r.body})`);
    return JSON.parse(r.body) as Seen;
  };
  const errorsAbout = (needle: string): string[] =>
    tp.logs.filter((l) => l.msg === 'configuration error' && String(l.error).includes(needle)).map((l) => String(l.error));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-chain-'));
    upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url ?? '', headers: req.headers } satisfies Seen));
    });
    const routers = ROUTERS.map(([name, host, mw]) => `    ${name}:\n      rule: "Host(\`${host}\`)"\n      service: up\n      middlewares: [${mw}]\n`).join('');
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, `http:\n  routers:\n${routers}${MIDDLEWARES}  services:\n    up:\n      loadBalancer:\n        servers:\n          - url: "${upstream.url}"\n`);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      '--entryPoints.web.http.middlewares=ephdr@file',
      `--providers.file.filename=${dyn}`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the members in order, nested chains and qualified names included', async () => {
    const s = seen(await send('outer.test', '/api/x?q=1'));
    assert.equal(s.url, '/v2/x?q=1', 'strip then add (add then strip would give /v2/api/x)');
    assert.equal(s.headers['x-forwarded-prefix'], '/api');
    assert.equal(s.headers['x-chain'], 'yes');
  });

  it('runs the entry point middlewares first, then the router chain', async () => {
    const s = seen(await send('outer.test', '/api/x'));
    assert.equal(s.headers['x-ep'], 'yes');
    assert.equal(s.headers['x-order'], 'chain', 'the chain set X-Order after the entry point did');
  });

  it('a chain used twice in one router applies twice', async () => {
    // /api/x -> strip, add -> /v2/x -> strip (no match), add -> /v2/v2/x
    assert.equal(seen(await send('twice.test', '/api/x')).url, '/v2/v2/x');
    assert.equal(seen(await send('inner.test', '/api/y')).url, '/v2/y');
  });

  it('an empty chain passes requests through', async () => {
    assert.equal(seen(await send('empty.test', '/same')).url, '/same');
  });

  it('a reference loop disables the chains on it and their routers, naming the loop', async () => {
    const loop = /reference loop: (loopa@file -> loopb@file -> loopa@file|loopb@file -> loopa@file -> loopb@file)/;
    assert.ok(errorsAbout('http.middlewares.loopa@file').some((e) => loop.test(e)), JSON.stringify(errorsAbout('loopa')));
    assert.ok(errorsAbout('http.middlewares.loopb@file').some((e) => loop.test(e)), JSON.stringify(errorsAbout('loopb')));
    const router = errorsAbout('http.routers.loop@file');
    assert.ok(router.some((e) => /middleware "loopa@file" is disabled: reference loop: /.test(e)), JSON.stringify(router));
    assert.equal((await send('loop.test', '/')).status, 404);
  });

  it('a chain that names itself is a loop too', async () => {
    assert.ok(errorsAbout('self@file').some((e) => /reference loop: self@file -> self@file/.test(e)), JSON.stringify(errorsAbout('self')));
    assert.equal((await send('self.test', '/')).status, 404);
  });

  it('a missing member disables the chain, naming it', async () => {
    assert.ok(errorsAbout('missing@file').some((e) => /middleware "nope@file" does not exist/.test(e)), JSON.stringify(errorsAbout('missing')));
    assert.equal((await send('missing.test', '/')).status, 404);
  });

  it('an invalid member (left out by validation) disables the chain, pointing at its own error', async () => {
    assert.ok(errorsAbout('badone').some((e) => /replacePath\.path: "path" is required/.test(e)), JSON.stringify(errorsAbout('badone')));
    assert.ok(errorsAbout('usesbad@file').some((e) => /middleware "badone@file" is invalid/.test(e)), JSON.stringify(errorsAbout('usesbad')));
    assert.equal((await send('usesbad.test', '/')).status, 404);
  });

  it('keeps serving every other router', async () => {
    assert.equal((await send('inner.test', '/api/z')).status, 200);
    assert.equal((await send('empty.test', '/')).status, 200);
  });
});
