/**
 * Docker containers -> dynamic configuration: the pure half of the Docker provider. The engine
 * side (client, events) calls `translateContainers` with every container it knows on each
 * (re)sync or event and emits the message; nothing here talks to Docker, so the whole translation
 * is tested on data (test/fixtures/docker/).
 *
 * Per container (traefik-reference §6): `traefik.enable` / exposedByDefault, constraints, running
 * state (`traefik.docker.allownonrunning`), health (`allowEmptyServices`), labels decoded with the
 * flat-key decoder, default service and router, the container's server (port and IP choice), the
 * default rule, then validation by `validateDynamic` (one validator for every provider). Each
 * container is isolated: its errors name it and the label at fault and never touch another
 * container. Then the containers are merged (scaled services joined, conflicts dropped).
 */
import type { ProviderMessage } from '../provider.js';
import { buildContainer, type BuildContext } from './build-container.js';
import type { ContainerInfo } from './container.js';
import { compileConstraints, type ConstraintMatcher } from './constraints.js';
import { DEFAULT_RULE_TEMPLATE, compileDefaultRule, type DefaultRuleTemplate } from './default-rule.js';
import { readContainerLabels } from './labels.js';
import { mergeContainers } from './merge.js';

export { compileConstraints, type ConstraintMatcher } from './constraints.js';
export { compileDefaultRule, DEFAULT_RULE_TEMPLATE, type DefaultRuleModel, type DefaultRuleTemplate } from './default-rule.js';
export { normalize, containerServiceName } from './normalize.js';
export { TRANSLATE_CODES, type TranslateCode } from './translate-codes.js';

export interface DockerTranslateOptions {
  /** Default true. */
  readonly exposedByDefault: boolean;
  /** Default ``Host(`{{ normalize .Name }}`)``. */
  readonly defaultRule: string;
  /** The provider's `network`, '' = none. */
  readonly network: string;
  readonly useBindPortIP: boolean;
  /** '' = none. */
  readonly constraints: string;
  readonly allowEmptyServices: boolean;
}

/** Traefik's defaults. */
export const DEFAULT_DOCKER_TRANSLATE_OPTIONS: DockerTranslateOptions = Object.freeze({
  exposedByDefault: true,
  defaultRule: DEFAULT_RULE_TEMPLATE,
  network: '',
  useBindPortIP: false,
  constraints: '',
  allowEmptyServices: false,
});

export interface DockerTranslation {
  /** Provider 'docker'; the aggregator names the objects `x@docker`. */
  readonly message: ProviderMessage;
}

/** A translation with the templates compiled once. */
export type DockerTranslator = (containers: readonly ContainerInfo[]) => DockerTranslation;

/**
 * Compiles the options once: the translator, or an error message when defaultRule or
 * constraints do not compile (check them at static configuration time with compileDefaultRule /
 * compileConstraints to report them there).
 */
export function createDockerTranslator(opts: DockerTranslateOptions): DockerTranslator | string {
  const defaultRule = compileDefaultRule(opts.defaultRule);
  if (typeof defaultRule === 'string') return defaultRule;
  const constraints = compileConstraints(opts.constraints);
  if (typeof constraints === 'string') return constraints;
  return (containers) => translate(containers, opts, defaultRule, constraints);
}

function translate(containers: readonly ContainerInfo[], opts: DockerTranslateOptions, defaultRule: DefaultRuleTemplate, constraints: ConstraintMatcher): DockerTranslation {
  const ctx: BuildContext = {
    exposedByDefault: opts.exposedByDefault,
    network: opts.network,
    allowEmptyServices: opts.allowEmptyServices,
    useBindPortIP: opts.useBindPortIP,
    defaultRule,
    constraints,
    containers,
    networkOf: (c) => {
      const l = readContainerLabels(c.name, c.labels, { exposedByDefault: opts.exposedByDefault, network: '' });
      return l.network;
    },
  };
  const builds = containers.map((c) => buildContainer(c, ctx));
  builds.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const merged = mergeContainers(builds);
  return { message: { provider: 'docker', config: merged.config, origins: merged.origins, diagnostics: merged.diagnostics } };
}

/** Compiled templates by option text: a provider translating on every event compiles them once. */
const translators = new Map<string, DockerTranslator | string>();

/**
 * Translates a list of containers (see the module comment). The defaultRule and constraints
 * templates are compiled on first use and cached; when one does not compile (the static check
 * should have refused it), every container is left out and the message carries the error.
 */
export function translateContainers(containers: readonly ContainerInfo[], opts: DockerTranslateOptions): DockerTranslation {
  const key = JSON.stringify([opts.exposedByDefault, opts.defaultRule, opts.network, opts.useBindPortIP, opts.constraints, opts.allowEmptyServices]);
  let translator = translators.get(key);
  if (translator === undefined) {
    translator = createDockerTranslator(opts);
    if (translators.size > 16) translators.clear();
    translators.set(key, translator);
  }
  if (typeof translator === 'string') {
    const diagnostics = [{ code: 'TPK_CFG_PROVIDER', severity: 'error' as const, message: translator, source: 'providers.docker' }];
    return { message: { provider: 'docker', config: { http: { routers: {}, services: {}, middlewares: {}, serversTransports: {} } }, origins: new Map(), diagnostics } };
  }
  return translator(containers);
}
