import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listOf, mapOf, section, segmentsFromUnderscored, str } from '../../../../src/config/paths/index.js';

const schema = section({
  entryPoints: mapOf(section({ address: str(), http: section({ tls: section({ domains: listOf(section({ main: str() })) }) }) })),
  log: section({ level: str() }),
});

void describe('segmentsFromUnderscored', () => {
  const cases: { desc: string; name: string; want: string[] }[] = [
    { desc: 'plain path', name: 'log_level', want: ['log', 'level'] },
    { desc: 'map name', name: 'entrypoints_web_address', want: ['entrypoints', 'web', 'address'] },
    { desc: 'map name containing _', name: 'entrypoints_my_ep_address', want: ['entrypoints', 'my_ep', 'address'] },
    { desc: 'bare map entry', name: 'entrypoints_web', want: ['entrypoints', 'web'] },
    { desc: 'list index', name: 'entrypoints_web_http_tls_domains_0_main', want: ['entrypoints', 'web', 'http', 'tls', 'domains', '[0]', 'main'] },
    { desc: 'unknown keys are split at every _', name: 'providers_docker_exposedbydefault', want: ['providers', 'docker', 'exposedbydefault'] },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.deepEqual(segmentsFromUnderscored(schema, c.name.split('_')), c.want));
  }
});
