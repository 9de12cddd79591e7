/**
 * Every static example of Traefik's documentation (../shared/compat/traefik-v3, see its INDEX.tsv) goes
 * through the loader: none may crash or produce a diagnostic without a TPK_ code. Most use options Turnpike
 * does not support yet (reported as such); the test prints how many are accepted outright. The CLI examples
 * (cli/*.txt) go through the flag source the same way.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../src/config/diagnostics.js';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { sharedDir, tempDir } from './fixtures.js';

const shared = sharedDir();
const compat = shared === undefined ? undefined : join(shared, 'compat/traefik-v3');

interface IndexRow {
  readonly file: string;
  readonly kind: string;
  readonly format: string;
  readonly parses: string;
  readonly note: string;
}

function indexRows(dir: string): IndexRow[] {
  const [header, ...lines] = readFileSync(join(dir, 'INDEX.tsv'), 'utf8').split('\n');
  const columns = (header ?? '').split('\t');
  const at = (name: string) => columns.indexOf(name);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cells = line.split('\t');
      return { file: cells[at('file')] ?? '', kind: cells[at('kind')] ?? '', format: cells[at('format')] ?? '', parses: cells[at('parses')] ?? '', note: cells[at('note')] ?? '' };
    });
}

function assertCoded(file: string, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    assert.match(d.code, /^TPK_[A-Z_]+$/, `${file}: uncoded diagnostic ${JSON.stringify(d)}`);
    assert.ok(d.message.length > 0, `${file}: empty message`);
  }
}

/** The flags of a cli/*.txt example: one per line, comments and blank lines skipped. */
function flagsOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s*\\$/, '')) // shell line continuations
    .filter((line) => line.startsWith('-'))
    .map((line) => line.replace(/\s+#.*$/, '').replace(/^(--?[^=\s]+)=(["'])(.*)\2$/, '$1=$3'));
}

void describe('Traefik documentation examples', { skip: compat === undefined ? 'no ../shared beside the repository' : false }, () => {
  void it('loads every parsable static example without crashing, every problem coded', () => {
    const rows = indexRows(compat ?? '').filter((r) => r.kind === 'static' && r.parses === 'yes' && !r.note.startsWith('migration-doc'));
    assert.ok(rows.length > 100, `only ${rows.length} examples listed`);
    let accepted = 0;
    const codes = new Map<string, number>();
    for (const row of rows) {
      const file = join(compat ?? '', row.file);
      const r = loadStaticConfig({ argv: [`--configFile=${file}`], env: {}, cwd: '/', searchDirs: [] });
      assertCoded(row.file, r.diagnostics);
      assert.equal(r.config === undefined, r.diagnostics.some((d) => d.severity === 'error'), row.file);
      for (const d of r.diagnostics) assert.equal(d.source, file, `${row.file}: ${d.code} without the file as source`);
      for (const d of r.diagnostics) codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
      // The parser accepted these files: a parse error here would be our bug.
      assert.ok(!r.diagnostics.some((d) => d.code === 'TPK_CFG_PARSE'), `${row.file}: ${JSON.stringify(r.diagnostics)}`);
      if (r.config) accepted++;
    }
    console.log(`static examples: ${accepted} of ${rows.length} accepted; diagnostics by code: ${JSON.stringify(Object.fromEntries(codes))}`);
  });

  void it('decodes every CLI example without crashing, every problem coded', () => {
    const rows = indexRows(compat ?? '').filter((r) => r.kind === 'cli' && r.format === 'text' && r.parses === 'yes');
    const dir = tempDir();
    try {
      let accepted = 0;
      for (const row of rows) {
        const argv = flagsOf(readFileSync(join(compat ?? '', row.file), 'utf8'));
        const r = loadStaticConfig({ argv, env: {}, cwd: dir.path, searchDirs: [] });
        assertCoded(row.file, r.diagnostics);
        if (r.config) accepted++;
      }
      console.log(`CLI examples: ${accepted} of ${rows.length} accepted`);
    } finally {
      dir.remove();
    }
  });
});
