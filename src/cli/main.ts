/**
 * The `turnpike` command: run (default), check, version, healthcheck, --help. This file only
 * composes the parts (STYLE §10: no god objects): static config -> logger -> entry points ->
 * runtime <- aggregator <- providers.
 */
import { startupDone } from './heap-tuning.js'; // first: it tunes the heap for the imports after it
import { readFileSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import type { StaticConfig } from '../config/static/types.js';
import type { Logger } from '../observability/logger.js';
import type { Snapshot } from '../providers/aggregator.js';
import type { Provider } from '../providers/provider.js';
import { applyWhenLoaded } from '../middlewares/registry.js';
import { loadObservability } from '../observability/load.js';
// Modules are imported when they are needed: the static configuration loader, the logger and the
// providers once a command runs (after heap-tuning.ts took effect), what only one command or one
// role uses (the data path, the cluster primary or worker, `check`, `healthcheck`, the Docker
// provider) only there: an idle single process holds only what it serves with (issue 3: idle RSS
// < 60 MiB, node itself being ~40).

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION = PACKAGE.version;

function printDiagnostics(list: readonly Diagnostic[], out: (s: string) => void): void {
  for (const d of list) out(formatDiagnostic(d) + '\n');
}

async function loadOrExit(argv: readonly string[]): Promise<{ config: StaticConfig; file: string | undefined }> {
  const { loadStaticConfig } = await import('../config/static/load.js');
  const res = loadStaticConfig({ argv, env: process.env, cwd: process.cwd() });
  if (!res.config) {
    process.stderr.write('turnpike: the static configuration is invalid:\n');
    printDiagnostics(res.diagnostics, (s) => process.stderr.write('  ' + s));
    process.exit(1);
  }
  printDiagnostics(
    res.diagnostics.filter((d) => d.severity === 'warning'),
    (s) => process.stderr.write('turnpike: ' + s),
  );
  return { config: res.config, file: res.files.static };
}

async function check(argv: readonly string[]): Promise<number> {
  const [{ checkConfiguration }, { compileDeps }] = await Promise.all([import('./check.js'), import('./compile-deps.js')]);
  const report = await checkConfiguration({ argv, env: process.env, cwd: process.cwd() }, compileDeps);
  printDiagnostics(report.diagnostics, (s) => process.stdout.write(s));
  const warnings = report.diagnostics.length - report.errors;
  if (report.errors > 0) {
    process.stdout.write(`${report.source}: ${report.errors} error(s), ${warnings} warning(s)\n`);
    return 1;
  }
  process.stdout.write(`${report.source}: ok (${report.routers} router(s), ${warnings} warning(s))\n`);
  return 0;
}

/** The provider side's modules, imported by run() before startProviders is called. */
interface ProviderModules {
  readonly createAggregator: typeof import('../providers/aggregator.js').createAggregator;
  readonly createFileProvider: typeof import('../providers/file/watch.js').createFileProvider;
}

async function providerModules(): Promise<ProviderModules> {
  const [{ createAggregator }, { createFileProvider }] = await Promise.all([import('../providers/aggregator.js'), import('../providers/file/watch.js')]);
  return { createAggregator, createFileProvider };
}

/** Starts the providers feeding an aggregator; returns the function that stops them. */
function startProviders(config: StaticConfig, logger: Logger, onSnapshot: (s: Snapshot) => void, { createAggregator, createFileProvider }: ProviderModules): () => void {
  // sliceMs: a large apply yields to the event loop every ~4 ms (the data path keeps serving).
  const aggregator = createAggregator({ throttleMs: config.providers.providersThrottleDuration, onSnapshot, sliceMs: 4 });
  const stopProviders = new AbortController();
  const providers: Provider[] = [];
  if (config.providers.file) providers.push(createFileProvider(config.providers.file));
  const docker = config.providers.docker;
  if (providers.length === 0 && docker === undefined) {
    // Nothing will ever produce routes: apply the empty configuration so entry points answer 404.
    aggregator.push({ provider: 'internal', config: { http: { routers: {}, services: {}, middlewares: {}, serversTransports: {} } }, origins: new Map(), diagnostics: [] });
  }
  const start = (p: Provider): void => {
    p.start(stopProviders.signal, (m) => aggregator.push(m)).catch((err: unknown) => {
      logger.error({ provider: p.name, err: String(err) }, 'provider stopped');
    });
  };
  for (const p of providers) start(p);
  if (docker !== undefined) {
    import('../providers/docker/provider.js').then(
      (m) => {
        if (!stopProviders.signal.aborted) start(m.createDockerProvider(docker, { logger }));
      },
      (err: unknown) => logger.error({ provider: 'docker', err: String(err) }, 'provider stopped'),
    );
  }
  return () => {
    stopProviders.abort();
    aggregator.close();
  };
}

async function run(argv: readonly string[]): Promise<void> {
  const { config, file } = await loadOrExit(argv);
  const [{ createLogger }, providers] = await Promise.all([import('../observability/logger.js'), providerModules()]);
  const logger: Logger = createLogger(config.log);
  // A stray rejected promise is a bug to report, not a reason to drop every connection.
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) }, 'unhandled promise rejection');
  });
  logger.info({ version: VERSION, source: file ?? config.origin.kind, workers: config.workers }, 'starting turnpike');
  if (config.workers > 1) {
    // The primary: providers here, entry points in the worker processes (src/runtime/workers/).
    const { runPrimary } = await import('../runtime/workers/primary.js');
    startupDone();
    runPrimary({ config, logger, startProviders: (onSnapshot) => startProviders(config, logger, onSnapshot, providers) });
    return;
  }

  const [{ DataPath, ListenError }, { compileDeps }] = await Promise.all([import('../runtime/workers/data-path.js'), import('./compile-deps.js')]);
  const observability = await loadObservability({ config, logger, role: 'single' });
  // The API's code loads only when `api` is configured.
  const api = config.api ? (await import('../api/index.js')).createApi(config) : undefined;
  // This process serves: its young generation's limit follows the configuration (young-generation.ts).
  const youngGeneration = (await import('../runtime/young-generation.js')).youngGenerationLimit();
  const dataPath = new DataPath({ config, logger, compileDeps, observability, api, youngGeneration });
  try {
    await dataPath.listen((name, addr) => logger.info({ entryPoint: name, address: addr.address, port: addr.port }, 'entryPoint listening'));
  } catch (err) {
    logger.fatal({ entryPoint: err instanceof ListenError ? err.entryPoint : '', err: String(err instanceof ListenError ? err.cause : err) }, 'cannot listen');
    process.exit(1);
  }
  // Each configuration is compiled once the middleware modules it uses are loaded (registry.ts).
  const apply = applyWhenLoaded<Snapshot>(
    (s) => dataPath.runtime.applySliced(s),
    (err) => logger.error({ err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'configuration apply failed'),
  );
  // The modules are loaded: from here on (configuration parsing, compiling) the young generation
  // grows as V8 likes (heap-tuning.ts; a 1 MiB one would promote a large parse whole), up to the
  // limit each applied configuration sets (young-generation.ts).
  startupDone();
  const stopProviders = startProviders(config, logger, apply, providers);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopProviders();
    dataPath.drain().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: String(err) }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  // Node loads node:cluster itself in a cluster worker (and deletes NODE_UNIQUE_ID): only a process
  // forked with an IPC channel can be one, so a plain start does not load the cluster module.
  if (process.channel !== undefined && (await import('node:cluster')).default.isWorker) {
    // A data-path worker forked by the primary: its configuration arrives over IPC.
    const [{ runWorker }, { compileDeps }] = await Promise.all([import('../runtime/workers/worker.js'), import('./compile-deps.js')]);
    startupDone(); // a worker serves: its young generation grows up to the limit its configuration sets
    runWorker(compileDeps);
    return;
  }
  const { parseArgs } = await import('./args.js');
  const args = parseArgs(process.argv.slice(2));
  if (args.diagnostics.some((d) => d.severity === 'error')) {
    printDiagnostics(args.diagnostics, (s) => process.stderr.write('turnpike: ' + s));
    process.stderr.write('Run `turnpike --help` for the commands and flags.\n');
    process.exitCode = 1;
    return;
  }
  switch (args.command) {
    case 'help':
      process.stdout.write((await import('./help.js')).helpText());
      return;
    case 'version':
      process.stdout.write(`Version:      ${VERSION}\nCodename:     turnpike\nNode version: ${process.version}\nOS/Arch:      ${process.platform}/${process.arch}\n`);
      return;
    case 'check':
      process.exitCode = await check(args.rest);
      return;
    case 'healthcheck': {
      const { config } = await loadOrExit(args.rest);
      process.exitCode = await (await import('./healthcheck.js')).runHealthcheck(config);
      return;
    }
    case 'explain': {
      const { runExplain } = await import('./explain.js');
      process.exitCode = await runExplain(args.rest, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
      return;
    }
    case 'run':
      await run(args.rest);
      return;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`turnpike: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
