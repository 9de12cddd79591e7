/**
 * CPU time and resident memory of a process tree, read from /proc (Linux only; elsewhere the
 * figures are reported as unknown). Used to print CPU microseconds per request and RSS.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // process gone or no /proc
  }
  // A child belongs to the thread that forked it (Linux >= 3.5): read every thread's list.
  for (const tid of tasks) {
    try {
      for (const s of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (s.trim() !== '') out.push(Number(s));
    } catch {
      // thread gone meanwhile
    }
  }
  return out;
}

/** The process and all its descendants (nginx master + workers, a cluster primary + workers). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const cur = all[i];
    if (cur !== undefined) all.push(...childrenOf(cur));
  }
  return all;
}

/** utime + stime of the process tree, in seconds; undefined when /proc is not readable. */
export function cpuSeconds(pid: number): number | undefined {
  let ticks = 0;
  let seen = false;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields after the command name "(...)": state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      seen = true;
    } catch {
      // exited meanwhile
    }
  }
  return seen ? ticks / clockTicks() : undefined;
}

/** Resident set size of the process tree in MiB; undefined when /proc is not readable. */
export function rssMiB(pid: number): number | undefined {
  let kib = 0;
  let seen = false;
  for (const p of processTree(pid)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m?.[1]) {
        kib += Number(m[1]);
        seen = true;
      }
    } catch {
      // exited meanwhile
    }
  }
  return seen ? kib / 1024 : undefined;
}

/**
 * CPU seconds the whole machine spent busy (user, nice, system, irq, steal; softirq is left out
 * because loopback traffic is processed there on behalf of the benchmark itself).
 */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[7] ?? 0);
    return busy / clockTicks();
  } catch {
    return undefined;
  }
}

/** CPU seconds of this process plus its reaped children (wrk runs are reaped before we read). */
export function selfAndChildrenSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime 14, stime 15, cutime 16, cstime 17
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / clockTicks();
  } catch {
    return undefined;
  }
}
