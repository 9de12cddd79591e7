/**
 * Reading a container's labels: the provider-level ones (`traefik.enable`, `traefik.docker.*`) and
 * the dynamic configuration ones (`traefik.http.*`, `traefik.tcp.*`, `traefik.udp.*`,
 * `traefik.tls.stores.*`), decoded by the flat-key decoder the CLI flags use, against the label
 * schema (src/config/dynamic/flat-schema.ts). Keys are case-insensitive and come out in Traefik's
 * spelling; names (routers, headers...) keep the label's spelling. Labels are read in sorted key
 * order, as Traefik's parser does, so the result never depends on Docker's map order. Other
 * labels (`traefik.foo`, `com.example.x`) are ignored, as in Traefik.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { LABEL_FLAT_SCHEMA, labelRefusal } from '../../config/dynamic/flat-schema.js';
import { DECODE_CODES, bool, decodeFlat, formatKeyPath, lookupPath, parseScalar, type FlatEntry } from '../../config/paths/index.js';

export interface LabelDefaults {
  readonly exposedByDefault: boolean;
  /** The provider's `network` option ('' = none). */
  readonly network: string;
}

export interface ContainerLabels {
  /** `traefik.enable`, else exposedByDefault. */
  readonly enable: boolean;
  /** `traefik.docker.network`, else the provider's network; '' = none. */
  readonly network: string;
  /** `traefik.docker.allownonrunning` (Traefik 3.6+). */
  readonly allowNonRunning: boolean;
  /** The decoded dynamic configuration tree (`http`, `tcp`, `udp`, `tls` keys), canonical spelling. */
  readonly tree: Record<string, unknown>;
  /** Canonical key path (`http.routers.r.rule`) -> the label key that set it, for each label decoded. */
  readonly labelAt: ReadonlyMap<string, string>;
  /** Problems of `traefik.enable` / `traefik.docker.*`: an error leaves the container out, enabled or not. */
  readonly extraDiagnostics: readonly Diagnostic[];
  /** Errors (the container is left out, as Traefik does when its labels do not parse) and warnings. */
  readonly diagnostics: readonly Diagnostic[];
}

const DYNAMIC_ROOTS = new Set(['http', 'tcp', 'udp', 'tls']);
const BOOL = bool();

/** `container "web-1"`: the source of every diagnostic about a container. */
export function containerSource(name: string): string {
  return `container ${JSON.stringify(name)}`;
}

/** `container "web-1": label "traefik.http.routers.r.rule"`. */
export function labelSource(container: string, key: string): string {
  return `${containerSource(container)}: label ${JSON.stringify(key)}`;
}

/** Reads the labels of one container (see the module comment). */
export function readContainerLabels(container: string, labels: Readonly<Record<string, string>>, defaults: LabelDefaults): ContainerLabels {
  const diagnostics: Diagnostic[] = [];
  const extraDiagnostics: Diagnostic[] = [];
  let enable = defaults.exposedByDefault;
  let network = defaults.network;
  let allowNonRunning = false;
  const entries: FlatEntry[] = [];
  const error = (key: string, code: string, message: string): void => {
    extraDiagnostics.push({ code, severity: 'error', message, source: labelSource(container, key) });
  };
  const flag = (key: string, value: string): boolean | undefined => {
    const r = parseScalar(BOOL, value);
    if (r.ok) return r.value === true;
    error(key, DECODE_CODES.value, `invalid value ${JSON.stringify(value)}: expected true or false`);
    return undefined;
  };

  for (const key of Object.keys(labels).sort()) {
    const value = labels[key] ?? '';
    const lower = key.toLowerCase();
    if (!lower.startsWith('traefik.')) continue;
    const segments = key.split('.').slice(1);
    const root = (segments[0] ?? '').toLowerCase();
    if (lower === 'traefik.enable') {
      enable = flag(key, value) ?? enable;
    } else if (root === 'docker') {
      const option = segments.slice(1).join('.').toLowerCase();
      if (option === 'network') network = value;
      else if (option === 'allownonrunning') allowNonRunning = flag(key, value) ?? allowNonRunning;
      else if (option === 'lbswarm') flag(key, value); // Swarm only: read (so a bad value is reported) and ignored
      else error(key, DECODE_CODES.unknownKey, `unknown key "${segments.slice(1).join('.')}" (traefik.docker. takes network, allownonrunning, lbswarm)`);
    } else if (DYNAMIC_ROOTS.has(root)) {
      const second = (segments[1] ?? '').toLowerCase();
      if (root === 'tls' && second !== 'stores') {
        // Traefik's label parser only reads traefik.tls.stores; the rest is silently dropped there.
        diagnostics.push({
          code: DECODE_CODES.unsupported,
          severity: 'warning',
          message: `${labelRefusal(`tls.${second}`) ?? 'only traefik.tls.stores can be set with labels'}; the label is ignored`,
          source: labelSource(container, key),
        });
        continue;
      }
      entries.push({ segments, value, origin: key });
    }
  }

  const decoded = decodeFlat(LABEL_FLAT_SCHEMA, entries, { unknownKeys: { unsupported: (pattern) => labelRefusal(pattern) } });
  for (const d of decoded.diagnostics) {
    diagnostics.push({ code: d.code, severity: d.severity, message: d.message, source: labelSource(container, d.source ?? '') });
  }
  const labelAt = new Map<string, string>();
  for (const entry of entries) {
    const found = lookupPath(LABEL_FLAT_SCHEMA, entry.segments);
    if (found.found) labelAt.set(formatKeyPath(found.path), entry.origin);
  }
  return { enable, network, allowNonRunning, tree: decoded.value, labelAt, extraDiagnostics, diagnostics };
}

/**
 * `traefik.docker.allownonrunning` as readContainerLabels reads it (false when absent or not a
 * boolean), without decoding the other labels: the engine side asks it of a container being stopped.
 */
export function allowsNonRunning(labels: Readonly<Record<string, string>>): boolean {
  let allow = false;
  for (const key of Object.keys(labels).sort()) {
    if (key.toLowerCase() !== 'traefik.docker.allownonrunning') continue;
    const r = parseScalar(BOOL, labels[key] ?? '');
    if (r.ok) allow = r.value === true;
  }
  return allow;
}

/** Whether a diagnostic list holds an error (the container is then left out). */
export function hasError(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
