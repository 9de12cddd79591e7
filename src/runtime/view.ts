/**
 * The runtime view: the dynamic configuration plus, per object, its status and errors. It is
 * what `turnpike check`, the logs and (later) the API and dashboard read; it is plain data and
 * never points into live handlers, except `ServiceView.serverStatus`, read live from health checks.
 */
import type { MiddlewareConfig, RouterConfig, ServiceConfig } from '../config/dynamic/types.js';
import type { ServerState } from '../services/service.js';

export type ObjectStatus = 'enabled' | 'disabled' | 'warning';

export interface RouterView {
  readonly name: string;
  readonly provider: string;
  readonly config: RouterConfig;
  /** Effective priority (the rule length when the configuration left it 0). */
  readonly priority: number;
  /** Entry points the router is attached to. */
  readonly using: readonly string[];
  readonly status: ObjectStatus;
  readonly errors: readonly string[];
}

export interface ServiceView {
  readonly name: string;
  readonly provider: string;
  readonly config: ServiceConfig;
  readonly status: ObjectStatus;
  readonly errors: readonly string[];
  readonly usedBy: readonly string[];
  /**
   * Per server URL, UP or DOWN, for a load balancer that tracks health (the API's `serverStatus`).
   * Read live from the built service each time (the one live value of the view); undefined for
   * services without health and for parents.
   */
  readonly serverStatus?: ReadonlyMap<string, ServerState> | undefined;
}

export interface MiddlewareView {
  readonly name: string;
  readonly provider: string;
  readonly config: MiddlewareConfig;
  readonly status: ObjectStatus;
  readonly errors: readonly string[];
  readonly usedBy: readonly string[];
}

export interface RuntimeView {
  readonly routers: Readonly<Record<string, RouterView>>;
  readonly services: Readonly<Record<string, ServiceView>>;
  readonly middlewares: Readonly<Record<string, MiddlewareView>>;
}

/** Provider names seen, so that 100,000 objects of the file provider share one "file" string. */
const providerNames = new Map<string, string>();
/** The provider found last and its `@name` suffix: names come in runs of one provider. */
let lastProvider = '';
let lastSuffix = '@';

export function providerOf(qualified: string): string {
  // `@name` ends the string and `name` has no '@': then that '@' is the last one (no slice, no look-up).
  if (qualified.endsWith(lastSuffix) && lastProvider !== '') return lastProvider;
  const at = qualified.lastIndexOf('@');
  if (at < 0) return '';
  const slice = qualified.slice(at + 1);
  let name = providerNames.get(slice);
  if (name === undefined) {
    name = slice;
    if (providerNames.size < 1000) providerNames.set(name, name);
  }
  lastProvider = name;
  lastSuffix = `@${name}`;
  return name;
}
