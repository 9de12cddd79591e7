/**
 * V8 runs parts of its garbage collector on helper threads: parallel scavenges, concurrent marking
 * and sweeping. That pays when the process has a CPU to spare for them. When it has none (it may
 * run on one CPU only, or it is one of as many workers as there are CPUs), the helpers can only
 * take turns with the thread that serves requests, and a scavenge waits for helpers that cannot
 * run until it yields the CPU.
 *
 * Measured on the 2-vCPU VM of docs/benchmarks.md: one process pinned to one CPU, 10,000 routers,
 * a one-router reload every 500 ms under 64 connections. p99 during reloads was 1.6 to 4.0x the
 * p99 without reloads with V8's defaults (5 runs), and 1.2 to 1.85x with `--single-threaded-gc`
 * (15 runs).
 *
 * V8 reads the flag only when it starts (`v8.setFlagsFromString` later trips a check in the
 * collector), so it is a node argument. The primary adds it to its workers' arguments here; the
 * launcher (bin/turnpike) adds it to a single process that may run on one CPU only.
 */
export const SINGLE_THREADED_GC = '--single-threaded-gc';

/** Node arguments that already decide how V8's collector uses threads: then nothing is added. */
const GC_THREAD_FLAGS = /^--(no-)?(single[-_]threaded([-_]gc)?|concurrent[-_]marking|parallel[-_]scavenge|v8[-_]pool[-_]size)(=|$)/;

/**
 * The node arguments for `processes` processes that share `cpus` CPUs: `execArgv` plus
 * `--single-threaded-gc` when there is no CPU to spare for GC helper threads, unless `execArgv`
 * already says how the collector should use threads.
 */
export function dataPathExecArgv(execArgv: readonly string[], processes: number, cpus: number): string[] {
  if (processes < cpus || execArgv.some((a) => GC_THREAD_FLAGS.test(a))) return [...execArgv];
  return [...execArgv, SINGLE_THREADED_GC];
}
