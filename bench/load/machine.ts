/**
 * What the results were measured on: date and time, CPUs, CPU model, kernel, Node and tool versions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';

export interface MachineInfo {
  /** ISO 8601, UTC. */
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
  readonly versions: Readonly<Record<string, string>>;
}

function firstMatch(cmd: string, args: readonly string[], pattern: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const m = pattern.exec(text);
  return (m?.[1] ?? m?.[0])?.trim() ?? 'unknown';
}

function readOr(file: string, pattern: RegExp): string {
  try {
    return pattern.exec(readFileSync(file, 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** How each tool tells its version: arguments and the pattern (group 1, else the whole match). */
const VERSION_PROBES: Readonly<Record<string, { args: readonly string[]; pattern: RegExp }>> = {
  nginx: { args: ['-v'], pattern: /nginx\/(\S+)/ },
  caddy: { args: ['version'], pattern: /^v?(\d+\.\d+\S*)/m },
  haproxy: { args: ['-v'], pattern: /HAProxy version (\S+)/ },
  wrk: { args: ['-v'], pattern: /wrk (\S+)/ },
  h2load: { args: ['--version'], pattern: /nghttp2\/(\S+)/ },
  openssl: { args: ['version'], pattern: /OpenSSL (\S+)/ },
};

/** `tools` maps a name to its executable; only those present are asked for their version. */
export function machineInfo(tools: Readonly<Record<string, string | undefined>>): MachineInfo {
  const versions: Record<string, string> = {};
  for (const [name, file] of Object.entries(tools)) {
    const probe = VERSION_PROBES[name];
    if (file && probe) versions[name] = firstMatch(file, probe.args, probe.pattern);
  }
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel: readOr('/proc/cpuinfo', /^model name\s*:\s*(.*)$/m),
    kernel: release(),
    os: readOr('/etc/os-release', /^PRETTY_NAME="?([^"\n]*)"?$/m),
    node: process.version,
    versions,
  };
}

export function formatMachine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cpus} core(s), ${m.os}, kernel ${m.kernel}, Node ${m.node}`;
}

export function formatVersions(m: MachineInfo): string {
  return Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
