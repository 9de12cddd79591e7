/**
 * Imported first by the CLI, whose other imports are dynamic (so this runs before the modules
 * are parsed): V8 grows its young generation while module loading allocates and keeps it
 * afterwards, 2-3 MiB of RSS an idle proxy does not need. A growth factor of 1 keeps it at its
 * initial size while the modules load; `startupDone()` restores V8's default before the
 * configuration is parsed (a 1 MiB young generation would promote a large parse whole: measured
 * +14% CPU and +170 MiB RSS at 100,000 routers) and before serving (throughput).
 */
import { setFlagsFromString } from 'node:v8';
import { youngGenerationSetByUser } from '../runtime/young-generation.js';

/** Node arguments (or NODE_OPTIONS) that size the young generation or its growth are the user's to keep. */
const userSized = youngGenerationSetByUser(process.execArgv, process.env['NODE_OPTIONS']);

if (!userSized) setFlagsFromString('--semi-space-growth-factor=1');

/** Lets the young generation grow again (V8's default factor, 2). */
export function startupDone(): void {
  if (!userSized) setFlagsFromString('--semi-space-growth-factor=2');
}
