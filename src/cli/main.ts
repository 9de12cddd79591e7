/**
 * The `turnpike` command: run (default), check, version, healthcheck, --help. This file only
 * composes the parts (STYLE §10: no god objects): static config -> logger -> entry points ->
 * runtime <- aggregator <- providers.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import { loadStaticConfig } from '../config/static/load.js';
import type { StaticConfig } from '../config/static/types.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createAggregator, type Snapshot } from '../providers/aggregator.js';
import { createFileProvider } from '../providers/file/watch.js';
import type { Provider } from '../providers/provider.js';
import { DataPath, ListenError } from '../runtime/workers/data-path.js';
import { runPrimary } from '../runtime/workers/primary.js';
import { runWorker } from '../runtime/workers/worker.js';
import { parseArgs } from './args.js';
import { checkConfiguration } from './check.js';
import { compileDeps } from './compile-deps.js';
import { helpText } from './help.js';
import { runHealthcheck } from './healthcheck.js';
import { loadObservability } from '../observability/load.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION = PACKAGE.version;

function printDiagnostics(list: readonly Diagnostic[], out: (s: string) => void): void {
  for (const d of list) out(formatDiagnostic(d) + '\n');
}

function loadOrExit(argv: readonly string[]): { config: StaticConfig; file: string | undefined } {
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

/** Starts the providers feeding an aggregator; returns the function that stops them. */
function startProviders(config: StaticConfig, logger: Logger, onSnapshot: (s: Snapshot) => void): () => void {
  const aggregator = createAggregator({ throttleMs: config.providers.providersThrottleDuration, onSnapshot });
  const stopProviders = new AbortController();
  const providers: Provider[] = [];
  if (config.providers.file) providers.push(createFileProvider(config.providers.file));
  if (providers.length === 0) {
    // Nothing will ever produce routes: apply the empty configuration so entry points answer 404.
    aggregator.push({ provider: 'internal', config: { http: { routers: {}, services: {}, middlewares: {}, serversTransports: {} } }, origins: new Map(), diagnostics: [] });
  }
  for (const p of providers) {
    p.start(stopProviders.signal, (m) => aggregator.push(m)).catch((err: unknown) => {
      logger.error({ provider: p.name, err: String(err) }, 'provider stopped');
    });
  }
  return () => {
    stopProviders.abort();
    aggregator.close();
  };
}

async function run(argv: readonly string[]): Promise<void> {
  const { config, file } = loadOrExit(argv);
  const logger: Logger = createLogger(config.log);
  // A stray rejected promise is a bug to report, not a reason to drop every connection.
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) }, 'unhandled promise rejection');
  });
  logger.info({ version: VERSION, source: file ?? config.origin.kind, workers: config.workers }, 'starting turnpike');
  if (config.workers > 1) {
    // The primary: providers here, entry points in the worker processes (src/runtime/workers/).
    runPrimary({ config, logger, startProviders: (onSnapshot) => startProviders(config, logger, onSnapshot) });
    return;
  }

  const observability = await loadObservability({ config, logger, role: 'single' });
  const dataPath = new DataPath({ config, logger, compileDeps, observability });
  try {
    await dataPath.listen((name, addr) => logger.info({ entryPoint: name, address: addr.address, port: addr.port }, 'entryPoint listening'));
  } catch (err) {
    logger.fatal({ entryPoint: err instanceof ListenError ? err.entryPoint : '', err: String(err instanceof ListenError ? err.cause : err) }, 'cannot listen');
    process.exit(1);
  }
  const stopProviders = startProviders(config, logger, (s) => dataPath.runtime.applySliced(s));

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
  if (cluster.isWorker) {
    // A data-path worker forked by the primary: its configuration arrives over IPC.
    runWorker(compileDeps);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  if (args.diagnostics.some((d) => d.severity === 'error')) {
    printDiagnostics(args.diagnostics, (s) => process.stderr.write('turnpike: ' + s));
    process.stderr.write('Run `turnpike --help` for the commands and flags.\n');
    process.exitCode = 1;
    return;
  }
  switch (args.command) {
    case 'help':
      process.stdout.write(helpText());
      return;
    case 'version':
      process.stdout.write(`Version:      ${VERSION}\nCodename:     turnpike\nNode version: ${process.version}\nOS/Arch:      ${process.platform}/${process.arch}\n`);
      return;
    case 'check':
      process.exitCode = await check(args.rest);
      return;
    case 'healthcheck': {
      const { config } = loadOrExit(args.rest);
      process.exitCode = await runHealthcheck(config);
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
