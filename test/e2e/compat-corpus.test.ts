/**
 * The compatibility corpus: every static and dynamic example from Traefik's own documentation
 * (../shared/compat/traefik-v3, see its README.txt) goes through `turnpike check`'s code path.
 * Each is either accepted, or refused with coded diagnostics — an unsupported Traefik option is
 * named as such, never a crash or a misleading type error. The examples accepted today are
 * pinned in test/fixtures/compat-accepted.txt so that none regresses; the test prints the counts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfiguration, type CheckReport } from '../../src/cli/check.js';
import { compileDeps } from '../../src/cli/compile-deps.js';
import { REPO_ROOT } from '../helpers/turnpike-process.js';

const CORPUS = join(REPO_ROOT, '..', 'shared', 'compat', 'traefik-v3');
const ACCEPTED_FILE = join(REPO_ROOT, 'test', 'fixtures', 'compat-accepted.txt');

interface Example {
  readonly file: string;
  readonly kind: string;
  readonly note: string;
}

function examples(): Example[] {
  const rows = readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows
    .map((r) => r.split('\t'))
    .filter((c) => (c[1] === 'static' || c[1] === 'dynamic') && c[4] === 'yes')
    .map((c) => ({ file: c[0] ?? '', kind: c[1] ?? '', note: c[8] ?? '' }))
    .filter((e) => !e.note.includes('migration-doc'));
}

/** Entry point names a dynamic example uses, so the generated static config defines them all. */
function entryPointsUsed(text: string): string[] {
  const names = new Set(['web', 'websecure']);
  for (const m of text.matchAll(/entryPoints\s*(?:=|:)\s*\[([^\]]*)\]/gi)) {
    for (const n of (m[1] ?? '').split(',')) {
      const name = n.trim().replace(/^["']|["']$/g, '');
      if (/^[A-Za-z0-9_-]+$/.test(name)) names.add(name);
    }
  }
  for (const m of text.matchAll(/entryPoints:\s*\n((?:\s+-\s*.+\n?)+)/gi)) {
    for (const line of (m[1] ?? '').split('\n')) {
      const name = line.replace(/^\s*-\s*/, '').trim().replace(/^["']|["']$/g, '');
      if (/^[A-Za-z0-9_-]+$/.test(name)) names.add(name);
    }
  }
  return [...names];
}

/** Errors that only say the example is a fragment (it names objects defined in another block). */
const FRAGMENT_CODES = new Set(['TPK_CFG_MISSING_SERVICE', 'TPK_CFG_MISSING_MIDDLEWARE', 'TPK_CFG_MISSING_TRANSPORT', 'TPK_CFG_MISSING_KEY', 'TPK_CFG_UNKNOWN_TLS_OPTIONS']);

async function checkExample(e: Example): Promise<CheckReport> {
  const path = join(CORPUS, e.file);
  if (e.kind === 'static') {
    return checkConfiguration({ argv: [`--configFile=${path}`], env: {}, cwd: REPO_ROOT, searchDirs: [] }, compileDeps);
  }
  let port = 18000;
  const argv = entryPointsUsed(readFileSync(path, 'utf8')).map((n) => `--entryPoints.${n}.address=127.0.0.1:${port++}`);
  argv.push(`--providers.file.filename=${path}`);
  return checkConfiguration({ argv, env: {}, cwd: REPO_ROOT, searchDirs: [] }, compileDeps);
}

describe('Traefik documentation corpus', () => {
  it('is present beside the repository (../shared, as CI lays it out)', () => {
    assert.ok(existsSync(join(CORPUS, 'INDEX.tsv')), `no corpus at ${CORPUS}`);
  });

  it('accepts or refuses every example by name, with coded diagnostics and no crash', async () => {
    const accepted: string[] = [];
    const fragments: string[] = [];
    const unsupported: string[] = [];
    const refused = new Map<string, string[]>();
    const uncoded: string[] = [];
    for (const e of examples()) {
      const report = await checkExample(e);
      for (const d of report.diagnostics) if (!/^TPK_[A-Z0-9_]+$/.test(d.code)) uncoded.push(`${e.file}: ${d.code} ${d.message}`);
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length === 0) accepted.push(e.file);
      else if (errors.every((d) => FRAGMENT_CODES.has(d.code))) fragments.push(e.file);
      else {
        refused.set(e.file, errors.map((d) => `${d.code} ${d.path ?? ''}`));
        if (errors.some((d) => d.code === 'TPK_CFG_UNSUPPORTED')) unsupported.push(e.file);
      }
    }
    const byCode = new Map<string, number>();
    for (const list of refused.values()) for (const c of new Set(list.map((l) => l.split(' ')[0] ?? ''))) byCode.set(c, (byCode.get(c) ?? 0) + 1);
    const total = accepted.length + fragments.length + refused.size;
    process.stdout.write(
      `# compat corpus: ${total} examples: ${accepted.length} accepted, ${fragments.length} accepted as fragments ` +
        `(they reference objects defined elsewhere), ${refused.size} refused (${unsupported.length} for options not supported yet, ` +
        `${refused.size - unsupported.length} for invalid values in the docs' reference files); refusals by code: ` +
        [...byCode].map(([c, n]) => `${c}=${n}`).join(' ') + '\n',
    );
    if (process.env.TURNPIKE_UPDATE_COMPAT === '1') {
      writeFileSync(ACCEPTED_FILE, [...accepted, ...fragments].sort().join('\n') + '\n');
    }
    assert.deepEqual(uncoded, [], 'every diagnostic carries a TPK_ code');
    const pinned = existsSync(ACCEPTED_FILE) ? readFileSync(ACCEPTED_FILE, 'utf8').split('\n').filter(Boolean) : [];
    const regressed = pinned.filter((f) => refused.has(f)).map((f) => `${f}: ${refused.get(f)?.join(', ')}`);
    assert.deepEqual(regressed, [], 'examples accepted before are still accepted');
    // A refusal must name what is unsupported or wrong: never a bare type error without a key path.
    const unnamed = [...refused].filter(([, errs]) => errs.some((x) => x.trim().split(' ').length < 2)).map(([f, errs]) => `${f}: ${errs.join(', ')}`);
    assert.deepEqual(unnamed, [], 'every refusal names a key path');
  });
});
