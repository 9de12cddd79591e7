/**
 * One container's share of the dynamic configuration: its labels decoded, Traefik's
 * auto-generation rules applied (default service and router, the container's server, default
 * rule, service linking), then validated by `validateDynamic` like any file. A container whose
 * labels do not parse, or whose server cannot be placed, is left out whole (Traefik logs it and
 * skips the container); an object that does not validate is left out alone. Merging containers
 * together is merge.ts's job.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { validateDynamic, type DynamicValidation } from '../../config/dynamic/validate.js';
import { RuleError, compileRule } from '../../rules/index.js';
import type { ContainerInfo } from './container.js';
import type { DefaultRuleTemplate } from './default-rule.js';
import { containerSource, hasError, labelSource, readContainerLabels, type ContainerLabels } from './labels.js';
import { containerServiceName } from './normalize.js';
import { joinHostPort, serverAddress, type AddressContext } from './server-address.js';
import { TRANSLATE_CODES } from './translate-codes.js';

export interface BuildContext extends AddressContext {
  readonly exposedByDefault: boolean;
  readonly network: string;
  readonly allowEmptyServices: boolean;
  readonly defaultRule: DefaultRuleTemplate;
  readonly constraints: (labels: Readonly<Record<string, string>>) => boolean;
}

export interface ContainerBuild {
  /** The container name (diagnostics name it). */
  readonly name: string;
  /** Traefik's merge order: `<service name>-<id>`. */
  readonly order: string;
  /** The validated configuration, or undefined when the container is left out (or not watched). */
  readonly validation: DynamicValidation | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `key` below `parent`, created when missing. */
function child(parent: Tree, key: string): Tree {
  const v = parent[key];
  if (isTree(v)) return v;
  const created: Tree = {};
  parent[key] = created;
  return created;
}

const has = (t: Tree | undefined, key: string): boolean => t !== undefined && isTree(t[key]) && Object.keys(t[key]).length > 0;

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** Rule texts already parsed: the error of each bad one (a provider re-translates on every event). */
const ruleProblems = new Map<string, { code: string; message: string } | null>();

function ruleProblem(rule: string): { code: string; message: string } | undefined {
  let known = ruleProblems.get(rule);
  if (known === undefined) {
    known = null;
    try {
      compileRule(rule);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      known = { code: e.code, message: e.message };
    }
    if (ruleProblems.size >= 4096) ruleProblems.clear();
    ruleProblems.set(rule, known);
  }
  return known ?? undefined;
}

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  /** Extra path -> source descriptions for what the translation generated (default rule, server). */
  readonly generated = new Map<string, string>();
  readonly source: string;

  constructor(
    readonly c: ContainerInfo,
    readonly labels: ContainerLabels,
    readonly ctx: BuildContext,
    readonly serviceName: string,
    readonly running: boolean,
    readonly healthy: boolean,
  ) {
    this.source = containerSource(c.name);
  }

  fail(d: Diagnostic): false {
    this.diagnostics.push(d);
    return false;
  }

  /** Gives each service of a protocol its server; false when the container must be left out. */
  addServers(protocol: 'http' | 'tcp' | 'udp', services: Tree): boolean {
    for (const [name, raw] of Object.entries(services)) {
      const svc = isTree(raw) ? raw : {};
      const lb = svc['loadBalancer'];
      if (!isTree(lb)) {
        return this.fail({ code: TRANSLATE_CODES.NO_ADDRESS, severity: 'error', message: `service "${name}": load-balancer is not defined; the container is left out`, source: this.source, path: `${protocol}.services.${name}` });
      }
      const server = isTree(lb['server']) ? lb['server'] : {};
      delete lb['server'];
      const base = `${protocol}.services.${name}.loadBalancer`;
      const alias = (from: string, to: string): void => {
        const label = this.labels.labelAt.get(`${base}.server.${from}`);
        if (label !== undefined) this.generated.set(`${base}.servers[0].${to}`, labelSource(this.c.name, label));
      };
      const extra: Tree = {};
      if (protocol === 'http') {
        if (server['weight'] !== undefined) extra['weight'] = server['weight'];
        if (server['preservePath'] !== undefined) extra['preservePath'] = server['preservePath'];
        alias('weight', 'weight');
        alias('preservePath', 'preservePath');
      } else if (protocol === 'tcp' && server['tls'] !== undefined) {
        extra['tls'] = server['tls'];
        alias('tls', 'tls');
      }
      const url = text(server['url']);
      if (protocol === 'http' && url !== '') {
        if (text(server['port']) !== '' || text(server['scheme']) !== '') {
          return this.fail({ code: TRANSLATE_CODES.SERVER_URL_EXCLUSIVE, severity: 'error', message: `service "${name}": defining scheme or port is not allowed when url is defined; the container is left out`, source: labelSource(this.c.name, this.labels.labelAt.get(`${base}.server.url`) ?? '') });
        }
        lb['servers'] = [{ url, ...extra }];
        alias('url', 'url');
        continue;
      }
      if (!this.running || !this.healthy) {
        lb['servers'] = []; // kept without server (allowEmptyServices / allownonrunning): answers 503
        continue;
      }
      const where = serverAddress(this.c, this.labels.network, text(server['port']), this.ctx, this.diagnostics);
      if ('code' in where) return this.fail({ ...where, path: base });
      const hostPort = joinHostPort(where.ip, where.port);
      const scheme = text(server['scheme']) || 'http';
      lb['servers'] = [protocol === 'http' ? { url: `${scheme}://${hostPort}`, ...extra } : { address: hostPort, ...extra }];
      this.generated.set(`${base}.servers[0]`, `${this.source}: server ${protocol === 'http' ? `${scheme}://${hostPort}` : hostPort}`);
      alias('port', protocol === 'http' ? 'url' : 'address');
      alias('scheme', 'url');
    }
    return true;
  }

  /** The service a router without one gets, or undefined (with a diagnostic) when ambiguous. */
  linkService(protocol: string, routerName: string, router: Tree, services: Tree): boolean {
    if (text(router['service']) !== '') return true;
    const names = Object.keys(services);
    if (names.length > 1) {
      this.diagnostics.push({
        code: TRANSLATE_CODES.TOO_MANY_SERVICES,
        severity: 'error',
        message: `router "${routerName}" cannot be linked automatically with several services (${names.map((n) => `"${n}"`).join(', ')}): set its service label; it is left out`,
        source: this.source,
        path: `${protocol}.routers.${routerName}`,
        object: routerName,
      });
      return false;
    }
    if (names[0] !== undefined) router['service'] = names[0];
    return true;
  }

  buildTcpUdp(protocol: 'tcp' | 'udp', tree: Tree): boolean {
    const section = child(tree, protocol);
    const services = child(section, 'services');
    if (Object.keys(services).length === 0) services[this.serviceName] = { loadBalancer: {} };
    if (!this.addServers(protocol, services)) return false;
    const routers = isTree(section['routers']) ? section['routers'] : {};
    for (const [name, raw] of Object.entries(routers)) {
      const router = isTree(raw) ? raw : {};
      if (protocol === 'tcp' && text(router['rule']) === '') {
        this.diagnostics.push({ code: TRANSLATE_CODES.NO_RULE, severity: 'error', message: `TCP router "${name}" has no rule; it is left out`, source: this.source, path: `tcp.routers.${name}`, object: name });
        delete routers[name];
      } else if (!this.linkService(protocol, name, router, services)) delete routers[name];
    }
    return true;
  }

  buildHttp(tree: Tree): boolean {
    const http = child(tree, 'http');
    const services = child(http, 'services');
    if (Object.keys(services).length === 0) services[this.serviceName] = { loadBalancer: {} };
    if (!this.addServers('http', services)) return false;
    let routers = isTree(http['routers']) ? http['routers'] : undefined;
    if (routers === undefined || Object.keys(routers).length === 0) {
      if (Object.keys(services).length > 1) {
        this.diagnostics.push({ code: TRANSLATE_CODES.TOO_MANY_SERVICES, severity: 'warning', message: 'no router is generated for the container: it defines several services and no router', source: this.source });
        return true;
      }
      routers = { [this.serviceName]: {} };
      http['routers'] = routers;
    }
    const model = { Name: this.serviceName, ContainerName: this.c.name, Labels: this.c.labels };
    for (const [name, raw] of Object.entries(routers)) {
      const router = isTree(raw) ? raw : {};
      routers[name] = router;
      if (text(router['rule']) === '') {
        const rule = this.ctx.defaultRule.render(model);
        if (rule === '') {
          this.diagnostics.push({ code: TRANSLATE_CODES.NO_RULE, severity: 'error', message: `router "${name}" has no rule and the defaultRule ${JSON.stringify(this.ctx.defaultRule.source)} gives an empty one; it is left out`, source: this.source, path: `http.routers.${name}`, object: name });
          delete routers[name];
          continue;
        }
        router['rule'] = rule;
        this.generated.set(`http.routers.${name}.rule`, `${this.source}: defaultRule ${JSON.stringify(rule)}`);
      }
      if (!this.linkService('http', name, router, services)) delete routers[name];
    }
    return true;
  }

  /**
   * Parses each HTTP router's rule now, so that a bad one is reported on the label that wrote it
   * (or the defaultRule) and only that router is left out.
   */
  checkRules(tree: Tree): void {
    const http = isTree(tree['http']) ? tree['http'] : undefined;
    const routers = http !== undefined && isTree(http['routers']) ? http['routers'] : {};
    for (const [name, raw] of Object.entries(routers)) {
      const rule = isTree(raw) ? raw['rule'] : undefined;
      if (typeof rule !== 'string' || rule === '') continue;
      const problem = ruleProblem(rule);
      if (problem === undefined) continue;
      const path = `http.routers.${name}.rule`;
      const source = this.describe(path);
      this.diagnostics.push({ code: problem.code, severity: 'error', message: `${problem.message}; this router is left out`, source, ...(source.includes(': label "') ? {} : { path }), object: name });
      delete routers[name];
    }
  }

  /** Where a validator diagnostic's path comes from, as a diagnostic source. */
  describe(path: string | undefined): string {
    if (path === undefined || path === '') return this.source;
    const direct = this.generated.get(path);
    if (direct !== undefined) return direct;
    const label = this.labels.labelAt.get(path);
    if (label !== undefined) return labelSource(this.c.name, label);
    // Deeper than a label (a list item of `entrypoints=a,b`): the label above it.
    for (let cut = path.length; cut > 0; cut--) {
      const ch = path[cut];
      if (ch !== '.' && ch !== '[') continue;
      const above = path.slice(0, cut);
      const known = this.generated.get(above) ?? (this.labels.labelAt.has(above) ? labelSource(this.c.name, this.labels.labelAt.get(above) ?? '') : undefined);
      if (known !== undefined) return known;
    }
    return this.source;
  }
}

/** Builds and validates one container's configuration (see the module comment). */
export function buildContainer(c: ContainerInfo, ctx: BuildContext): ContainerBuild {
  const serviceName = containerServiceName(c);
  const order = `${serviceName}-${c.id}`;
  const labels = readContainerLabels(c.name, c.labels, { exposedByDefault: ctx.exposedByDefault, network: ctx.network });
  const skip = (diagnostics: readonly Diagnostic[] = []): ContainerBuild => ({ name: c.name, order, validation: undefined, diagnostics });
  if (hasError(labels.extraDiagnostics)) return skip(labels.extraDiagnostics);
  if (!labels.enable || !ctx.constraints(c.labels)) return skip();
  const running = c.state === 'running';
  if (!running && !labels.allowNonRunning) return skip();
  const healthy = c.health === undefined || c.health === 'healthy';
  if (!healthy && !ctx.allowEmptyServices) return skip();
  if (hasError(labels.diagnostics)) return skip(labels.diagnostics);

  const b = new Builder(c, labels, ctx, serviceName, running, healthy);
  b.diagnostics.push(...labels.diagnostics);
  const tree = labels.tree;
  const tcp = isTree(tree['tcp']) ? tree['tcp'] : undefined;
  const udp = isTree(tree['udp']) ? tree['udp'] : undefined;
  const http = isTree(tree['http']) ? tree['http'] : undefined;
  let tcpOrUdp = false;
  if (has(tcp, 'routers') || has(tcp, 'services')) {
    tcpOrUdp = true;
    if (!b.buildTcpUdp('tcp', tree)) return skip(b.diagnostics);
  }
  if (has(udp, 'routers') || has(udp, 'services')) {
    tcpOrUdp = true;
    if (!b.buildTcpUdp('udp', tree)) return skip(b.diagnostics);
  }
  const httpLabels = has(http, 'routers') || has(http, 'middlewares') || has(http, 'services');
  if ((!tcpOrUdp || httpLabels) && !b.buildHttp(tree)) return skip(b.diagnostics);

  b.checkRules(tree);
  const validation = validateDynamic(tree, { source: b.source });
  const diagnostics = [...b.diagnostics];
  for (const d of validation.diagnostics) {
    // The label (in the user's spelling) replaces the key path when one is named.
    const { line: _line, column: _column, path, ...rest } = d;
    const source = b.describe(path);
    diagnostics.push(source.includes(': label "') || path === undefined ? { ...rest, source } : { ...rest, source, path });
  }
  return { name: c.name, order, validation, diagnostics };
}
