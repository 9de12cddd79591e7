/**
 * What the results were measured on: date, CPUs, CPU model, Node and tool versions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface MachineInfo {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly os: string;
  readonly node: string;
  readonly versions: Readonly<Record<string, string>>;
}

function firstLine(cmd: string, args: readonly string[], pattern: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  return pattern.exec(text)?.[0]?.trim() ?? 'unknown';
}

function readOr(file: string, pattern: RegExp): string {
  try {
    return pattern.exec(readFileSync(file, 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `tools` maps a name to its executable; only those present are asked for their version. */
export function machineInfo(tools: Readonly<Record<string, string | undefined>>): MachineInfo {
  const versions: Record<string, string> = {};
  const nginx = tools['nginx'];
  const caddy = tools['caddy'];
  const wrk = tools['wrk'];
  if (nginx) versions['nginx'] = firstLine(nginx, ['-v'], /nginx\/\S+/);
  if (caddy) versions['caddy'] = firstLine(caddy, ['version'], /^v?\d+\.\d+\S*/m);
  if (wrk) versions['wrk'] = firstLine(wrk, ['-v'], /wrk \S+( \S+)?/);
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: availableParallelism(),
    cpuModel: readOr('/proc/cpuinfo', /^model name\s*:\s*(.*)$/m),
    os: readOr('/etc/os-release', /^PRETTY_NAME="?([^"\n]*)"?$/m),
    node: process.version,
    versions,
  };
}

export function formatMachine(m: MachineInfo): string {
  const tools = Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${m.date}, ${m.cpus} CPU(s), ${m.cpuModel}, ${m.os}, Node ${m.node}; ${tools}`;
}
