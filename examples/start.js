// `npm start`: the built-in example. Starts three small demo upstreams on 127.0.0.1 and runs
// Turnpike on examples/traefik.yml (entry point 127.0.0.1:8000). Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function demo(port, name) {
  const server = createServer((req, res) => {
    const body = JSON.stringify({ server: name, method: req.method, url: req.url, headers: req.headers }, null, 2) + '\n';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot start the demo upstream ${name} on 127.0.0.1:${port}: ${err.message}`)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const servers = await Promise.all([demo(28081, 'whoami-1'), demo(28082, 'whoami-2'), demo(28083, 'hello')]);
const child = spawn(join(root, 'bin/turnpike'), ['--configFile=examples/traefik.yml'], {
  cwd: root,
  stdio: 'inherit',
});
process.stdout.write('Demo upstreams on 127.0.0.1:28081-28083. Try:\n  curl -H "Host: localhost" http://127.0.0.1:8000/whoami/abc\n  curl http://127.0.0.1:8000/\n');
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => {
  for (const s of servers) s.close();
  process.exit(code ?? 0);
});
