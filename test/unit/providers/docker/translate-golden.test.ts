/**
 * Golden tests of the Docker label translation: each test/fixtures/docker/<case>/ holds
 * containers.json (the containers, as ContainerInfo; see README.md there for the defaults filled
 * in) and expected.yml (the dynamic configuration they must give, written as a Traefik dynamic
 * configuration file, plus the expected `diagnostics`). The expected file is validated by the same
 * validator and the two models compared.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validateDynamic } from '../../../../src/config/dynamic/validate.js';
import type { ContainerInfo } from '../../../../src/providers/docker/container.js';
import { DEFAULT_DOCKER_TRANSLATE_OPTIONS, translateContainers, type DockerTranslateOptions } from '../../../../src/providers/docker/translate.js';
import { fixtureContainer, type FixtureContainer } from './fixture-container.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

interface Input {
  readonly desc: string;
  readonly options?: Partial<DockerTranslateOptions>;
  readonly containers: readonly FixtureContainer[];
}

interface ExpectedDiagnostic {
  readonly code: string;
  readonly source: string;
  readonly severity?: 'error' | 'warning';
  /** Text the message must contain. */
  readonly match?: string;
}

const root = join(repoRoot(), 'test/fixtures/docker');
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Plain JSON data (frozen objects and undefined fields compared by content). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

void describe('docker translation golden cases (test/fixtures/docker)', () => {
  void it('has cases', () => assert.ok(cases.length >= 20, `only ${cases.length} cases`));
  for (const name of cases) {
    const input = JSON.parse(readFileSync(join(root, name, 'containers.json'), 'utf8')) as Input;
    void it(`${name}: ${input.desc}`, () => {
      const expectedDoc = (parse(readFileSync(join(root, name, 'expected.yml'), 'utf8')) ?? {}) as Record<string, unknown>;
      const { diagnostics: expectedDiags = [], ...expectedConfig } = expectedDoc as { diagnostics?: ExpectedDiagnostic[] };
      const expected = validateDynamic(expectedConfig, { source: 'expected.yml' });
      assert.deepEqual(expected.diagnostics.filter((d) => d.severity === 'error'), [], 'expected.yml itself must validate');

      const containers: ContainerInfo[] = input.containers.map(fixtureContainer);
      const { message } = translateContainers(containers, { ...DEFAULT_DOCKER_TRANSLATE_OPTIONS, ...input.options });
      assert.equal(message.provider, 'docker');
      assert.deepEqual(plain(message.config), plain(expected.config));

      const line = (d: { severity?: string; code: string; source?: string }): string => `${d.severity ?? 'error'} ${d.code} ${d.source ?? ''}`;
      assert.deepEqual(message.diagnostics.map(line).sort(), expectedDiags.map(line).sort());
      for (const want of expectedDiags) {
        if (want.match === undefined) continue;
        const found = message.diagnostics.some((d) => d.code === want.code && d.source === want.source && d.message.includes(want.match ?? ''));
        assert.ok(found, `no ${want.code} diagnostic from ${want.source} saying "${want.match}": ${message.diagnostics.map((d) => d.message).join(' | ')}`);
      }
    });
  }
});
