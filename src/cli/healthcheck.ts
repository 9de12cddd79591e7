/**
 * `turnpike healthcheck`: for container health probes, as Traefik's command. It asks the running
 * instance's ping endpoint (`ping` must be enabled) and exits 0 on 200, 1 otherwise.
 */
import { request } from 'node:http';
import type { StaticConfig } from '../config/static/types.js';

export async function runHealthcheck(config: StaticConfig, timeoutMs = 5_000): Promise<number> {
  if (!config.ping) {
    process.stderr.write('Please enable `ping` to use health check.\n');
    return 1;
  }
  const ep = config.entryPoints[config.ping.entryPoint];
  if (!ep) {
    process.stderr.write(`ping: entryPoint "${config.ping.entryPoint}" does not exist\n`);
    return 1;
  }
  const host = ep.host === '' || ep.host === '0.0.0.0' ? '127.0.0.1' : ep.host === '::' ? '::1' : ep.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${ep.port}/ping`;
  const status = await new Promise<number>((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      process.stderr.write(`Error calling healthcheck: ${err.message}\n`);
      resolve(0);
    });
    req.end();
  });
  if (status === 200) {
    process.stdout.write(`OK: ${url}\n`);
    return 0;
  }
  if (status !== 0) process.stderr.write(`Bad healthcheck status: ${status}\n`);
  return 1;
}
