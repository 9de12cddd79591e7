/**
 * The path a request takes through one router, as the detail pages draw it: entry points ->
 * router -> middlewares -> service -> servers (UP/DOWN), from the API's objects. The API shows a
 * reference as its provider's user wrote it (`auth`, not `auth@file`): `qualify` puts the router's
 * provider back to find the object. Pure: tested in node.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function str(o: JsonObject | undefined, key: string): string {
  const v = o?.[key];
  return typeof v === 'string' ? v : '';
}

export function num(o: JsonObject | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' ? v : undefined;
}

export function strings(o: JsonObject | undefined, key: string): string[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function obj(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A reference written in `provider`'s configuration, qualified (`auth` -> `auth@file`). */
export function qualify(ref: string, provider: string): string {
  if (ref.includes('@') || provider === '') return ref;
  return `${ref}@${provider}`;
}

export interface ServerState {
  readonly url: string;
  readonly status: 'UP' | 'DOWN';
}

/** A load balancer's servers with their health (a server missing from serverStatus is DOWN). */
export function serversOf(service: JsonObject | undefined): ServerState[] {
  const lb = obj(service, 'loadBalancer');
  const status = obj(service, 'serverStatus');
  const servers = lb?.['servers'];
  const urls = Array.isArray(servers) ? servers.map((s) => (isJsonObject(s) ? str(s, 'url') : '')).filter((u) => u !== '') : [];
  if (urls.length === 0 && status !== undefined) urls.push(...Object.keys(status));
  return urls.map((url) => ({ url, status: status?.[url] === 'UP' ? 'UP' : 'DOWN' }));
}

/** The child services of a weighted / mirroring / failover service, qualified, with their role. */
export function childServices(service: JsonObject | undefined): { name: string; role: string }[] {
  const provider = str(service, 'provider');
  const weighted = obj(service, 'weighted');
  if (weighted !== undefined) {
    const list = weighted['services'];
    return Array.isArray(list)
      ? list.filter(isJsonObject).map((s) => ({ name: qualify(str(s, 'name'), provider), role: `weight ${num(s, 'weight') ?? 1}` }))
      : [];
  }
  const mirroring = obj(service, 'mirroring');
  if (mirroring !== undefined) {
    const mirrors = mirroring['mirrors'];
    return [
      { name: qualify(str(mirroring, 'service'), provider), role: 'main' },
      ...(Array.isArray(mirrors) ? mirrors.filter(isJsonObject).map((m) => ({ name: qualify(str(m, 'name'), provider), role: `mirror ${num(m, 'percent') ?? 0}%` })) : []),
    ];
  }
  const failover = obj(service, 'failover');
  if (failover !== undefined) {
    return [
      { name: qualify(str(failover, 'service'), provider), role: 'main' },
      { name: qualify(str(failover, 'fallback'), provider), role: 'fallback' },
    ];
  }
  return [];
}

export type Stage =
  | { readonly kind: 'entryPoints'; readonly names: readonly string[] }
  | { readonly kind: 'router'; readonly name: string; readonly status: string; readonly rule: string }
  | { readonly kind: 'middleware'; readonly name: string; readonly status: string; readonly type: string }
  | { readonly kind: 'service'; readonly name: string; readonly status: string; readonly type: string }
  | { readonly kind: 'children'; readonly services: readonly { readonly name: string; readonly role: string }[] }
  | { readonly kind: 'servers'; readonly servers: readonly ServerState[] };

/**
 * The stages of `router`'s path. `middleware(name)` / `service(name)` give the API objects already
 * fetched (undefined: not known, status shown as `unknown`).
 */
export function requestPath(router: JsonObject, middleware: (name: string) => JsonObject | undefined, service: (name: string) => JsonObject | undefined): Stage[] {
  const provider = str(router, 'provider');
  const eps = strings(router, 'using');
  const stages: Stage[] = [
    { kind: 'entryPoints', names: eps.length > 0 ? eps : strings(router, 'entryPoints') },
    { kind: 'router', name: str(router, 'name'), status: str(router, 'status'), rule: str(router, 'rule') },
  ];
  for (const ref of strings(router, 'middlewares')) {
    const name = qualify(ref, provider);
    const m = middleware(name);
    stages.push({ kind: 'middleware', name, status: str(m, 'status') || 'unknown', type: str(m, 'type') });
  }
  const serviceRef = str(router, 'service');
  if (serviceRef !== '') {
    const name = qualify(serviceRef, provider);
    const s = service(name);
    stages.push({ kind: 'service', name, status: str(s, 'status') || 'unknown', type: str(s, 'type') || (name.endsWith('@internal') ? 'internal' : '') });
    const children = childServices(s);
    if (children.length > 0) stages.push({ kind: 'children', services: children });
    const servers = serversOf(s);
    if (servers.length > 0) stages.push({ kind: 'servers', servers });
  }
  return stages;
}
