import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowsNonRunning, readContainerLabels } from '../../../../src/providers/docker/labels.js';

void describe('allowsNonRunning (the engine side asks it of a container being stopped)', () => {
  const cases: { desc: string; labels: Record<string, string>; want: boolean }[] = [
    { desc: 'absent', labels: { 'traefik.enable': 'true' }, want: false },
    { desc: 'true', labels: { 'traefik.docker.allownonrunning': 'true' }, want: true },
    { desc: 'key in any case, Go boolean spellings', labels: { 'Traefik.Docker.AllowNonRunning': 'T' }, want: true },
    { desc: '1 is true, as strconv.ParseBool', labels: { 'traefik.docker.allownonrunning': '1' }, want: true },
    { desc: 'false', labels: { 'traefik.docker.allownonrunning': 'False' }, want: false },
    { desc: 'not a boolean', labels: { 'traefik.docker.allownonrunning': 'yes' }, want: false },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(allowsNonRunning(c.labels), c.want);
      // The same answer as the full label reading of the translation.
      const read = readContainerLabels('c', c.labels, { exposedByDefault: true, network: '' });
      assert.equal(read.extraDiagnostics.length === 0 ? read.allowNonRunning : false, c.want);
    });
  }
});
