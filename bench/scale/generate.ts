/**
 * Generated configuration for the scale benchmark: `count` routers of four kinds in turn (Host,
 * Host + PathPrefix, HostRegexp, Header), each with its own one-server service.
 */

/** Kind of router `i` (0: Host, 1: Host + PathPrefix, 2: HostRegexp, 3: Header). */
export function routerRule(i: number, renamed = ''): string {
  switch (i % 4) {
    case 0:
      return `Host(\`h${i}${renamed}.test\`)`;
    case 1:
      return `Host(\`h${i}${renamed}.test\`) && PathPrefix(\`/p${i}\`)`;
    case 2:
      return `HostRegexp(\`^r${i}${renamed}-[a-z]+\\.example\\.com$\`)`;
    default:
      return `Header(\`X-Tenant\`, \`t${i}${renamed}\`)`;
  }
}

/** The Host router nearest to the middle of `count` (the benchmarked one); `h0.test` when count < 4. */
export function benchRouter(count: number): number {
  const mid = Math.floor(count / 2);
  return mid - (mid % 4);
}

/**
 * Dynamic YAML. `change` renames router `change.index`'s host to `h<index>-<tag>.test` (a
 * one-router edit for the reload measurement); several changes rename several routers.
 */
export function dynamicYaml(count: number, upstreamPort: number, change?: { index: number; tag: string } | readonly { index: number; tag: string }[]): string {
  const changes = change === undefined ? [] : Array.isArray(change) ? change : [change as { index: number; tag: string }];
  const tagOf = new Map(changes.map((c) => [c.index, c.tag] as const));
  const routers: string[] = [];
  const services: string[] = [];
  for (let i = 0; i < count; i++) {
    const tag = tagOf.get(i);
    const rule = routerRule(i, tag === undefined ? '' : `-${tag}`);
    routers.push(`    r${i}:\n      entryPoints: [web]\n      rule: ${JSON.stringify(rule)}\n      service: s${i}\n`);
    services.push(`    s${i}:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:${upstreamPort}"\n`);
  }
  if (count === 0) return 'http: {}\n';
  return `http:\n  routers:\n${routers.join('')}  services:\n${services.join('')}`;
}

/** Traefik static configuration for one Turnpike under test. */
export function staticYaml(port: number, dynamicFile: string, throttle: string): string {
  return `entryPoints:
  web:
    address: "127.0.0.1:${port}"
providers:
  providersThrottleDuration: ${throttle}
  file:
    filename: ${JSON.stringify(dynamicFile)}
    watch: true
log:
  level: INFO
`;
}
