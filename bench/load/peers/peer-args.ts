/**
 * Command line of the Node peer scripts: `--port N --upstream-port N` (or the environment
 * variables BENCH_PORT and BENCH_UPSTREAM_PORT). The peers print nothing per request.
 */
import { parseArgs } from 'node:util';

export interface PeerArgs {
  readonly port: number;
  readonly upstreamPort: number;
}

function port(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag}: "${String(text)}" is not a TCP port`);
  return n;
}

export function peerArgs(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): PeerArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { port: { type: 'string' }, 'upstream-port': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  return {
    port: port('--port', values.port ?? env['BENCH_PORT']),
    upstreamPort: port('--upstream-port', values['upstream-port'] ?? env['BENCH_UPSTREAM_PORT']),
  };
}
