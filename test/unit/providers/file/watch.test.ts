import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FileProviderConfig } from '../../../../src/config/static/types.js';
import type { ProviderMessage } from '../../../../src/providers/provider.js';
import { type FileProviderOptions, checkDynamicFiles, createFileProvider } from '../../../../src/providers/file/watch.js';

const WAIT_MS = 10_000;

/** Collects emitted messages; `next` waits (bounded) for the next one matching a predicate. */
function collector() {
  const messages: ProviderMessage[] = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  return {
    messages,
    emit(m: ProviderMessage): void {
      messages.push(m);
      wake?.();
    },
    async next(pred: (m: ProviderMessage) => boolean, what: string): Promise<ProviderMessage> {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        while (cursor < messages.length) {
          const m = messages[cursor++];
          if (m !== undefined && pred(m)) return m;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for: ${what} (got ${messages.length} messages)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
  };
}

/** The file provider keys its objects by qualified name (`a@file`), as the provider state does. */
const routers = (m: ProviderMessage): string[] =>
  Object.keys(m.config.http.routers)
    .map((k) => {
      assert.ok(k.endsWith('@file'), k);
      return k.slice(0, -'@file'.length);
    })
    .sort();
const router = (name: string, rule = 'Path(`/`)'): string => `http:\n  routers:\n    ${name}: {rule: "${rule}", service: s}\n`;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tp-file-provider-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Starts a provider and returns a stop function that aborts and waits for it to finish. */
function run(cfg: FileProviderConfig, options: FileProviderOptions = {}) {
  const c = collector();
  const ac = new AbortController();
  const done = createFileProvider(cfg, options).start(ac.signal, (m) => c.emit(m));
  return {
    ...c,
    async stop(): Promise<void> {
      ac.abort();
      await done;
    },
  };
}

void describe('file provider: directory', () => {
  void it('emits at start, then on new, changed, nested and deleted files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yml'), router('a'));
    const p = run({ directory: dir, filename: undefined, watch: true });
    try {
      const first = await p.next(() => true, 'initial message');
      assert.equal(first.provider, 'file');
      assert.deepEqual(routers(first), ['a']);
      assert.equal(first.origins.get('http.routers.a')?.source, join(dir, 'a.yml'));

      await writeFile(join(dir, 'b.toml'), '[http.routers.b]\nrule = "Path(`/b`)"\nservice = "s"\n');
      await p.next((m) => routers(m).join() === 'a,b', 'b.toml added');

      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'sub', 'c.yaml'), router('c'));
      await p.next((m) => routers(m).join() === 'a,b,c', 'sub/c.yaml added (recursive)');

      await writeFile(join(dir, 'a.yml'), router('a', 'Path(`/changed`)'));
      await p.next((m) => m.config.http.routers['a@file']?.rule === 'Path(`/changed`)', 'a.yml changed');

      await unlink(join(dir, 'b.toml'));
      await p.next((m) => routers(m).join() === 'a,c', 'b.toml deleted');
    } finally {
      await p.stop();
    }
  });

  void it('sees editor-style atomic saves (write a temp file, rename it over the original)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'dyn.yml'), router('v1'));
    const p = run({ directory: dir, filename: undefined, watch: true });
    try {
      await p.next((m) => routers(m).join() === 'v1', 'initial');
      await writeFile(join(dir, '.dyn.yml.swp'), router('v2'));
      await rename(join(dir, '.dyn.yml.swp'), join(dir, 'dyn.yml'));
      await p.next((m) => routers(m).join() === 'v2', 'renamed over');
      await writeFile(join(dir, 'dyn.yml~tmp'), router('v3'));
      await rename(join(dir, 'dyn.yml~tmp'), join(dir, 'dyn.yml'));
      await p.next((m) => routers(m).join() === 'v3', 'renamed over again');
    } finally {
      await p.stop();
    }
  });

  void it('keeps the other files when one breaks, and the last good version of the broken one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yml'), router('a'));
    await writeFile(join(dir, 'b.yml'), router('b'));
    const p = run({ directory: dir, filename: undefined, watch: true });
    try {
      await p.next((m) => routers(m).join() === 'a,b', 'initial');
      await writeFile(join(dir, 'b.yml'), 'http:\n  routers:\n    b: {rule: "Path(`/`)"\n');
      const m = await p.next((x) => x.diagnostics.some((d) => d.code === 'TPK_CFG_PARSE'), 'parse error');
      assert.deepEqual(routers(m), ['a', 'b']);
      assert.match(m.diagnostics.find((d) => d.code === 'TPK_CFG_PARSE')?.message ?? '', /keeping the last good version/);
    } finally {
      await p.stop();
    }
  });

  void it('skips hidden files and folders and non-YAML/TOML files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.YML'), router('a'));
    await writeFile(join(dir, '.hidden.yml'), router('hidden'));
    await mkdir(join(dir, '..data'));
    await writeFile(join(dir, '..data', 'x.yml'), router('x'));
    await writeFile(join(dir, 'notes.txt'), 'not config');
    const p = run({ directory: dir, filename: undefined, watch: false });
    const m = await p.next(() => true, 'message');
    await p.stop();
    assert.deepEqual(routers(m), ['a']);
    assert.deepEqual(m.diagnostics, []);
  });
});

void describe('file provider: saves in place (truncate, then write)', () => {
  const hasEmptyWarning = (m: ProviderMessage): boolean => m.diagnostics.some((d) => d.code === 'TPK_CFG_EMPTY_FILE');

  void it('never emits a configuration without routers once the file had one', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dyn.yml');
    await writeFile(file, router('v0'));
    const p = run({ filename: file, directory: undefined, watch: true });
    try {
      await p.next((m) => routers(m).join() === 'v0', 'initial');

      // `: > dyn.yml; ...; cat good > dyn.yml`: the truncated file is seen, and kept at v0.
      const truncated = await open(file, 'w');
      try {
        const m = await p.next(hasEmptyWarning, 'the empty file reported');
        assert.deepEqual(routers(m), ['v0']);
        assert.deepEqual(m.diagnostics.map((d) => [d.code, d.severity, d.source]), [['TPK_CFG_EMPTY_FILE', 'warning', file]]);
        // `(echo '# header'; cat good) > dyn.yml`: comments only so far, still kept.
        await truncated.write('# generated\n');
        await truncated.sync();
        await truncated.write(router('v1'));
      } finally {
        await truncated.close();
      }
      const v1 = await p.next((m) => routers(m).join() === 'v1', 'the final content');
      assert.deepEqual(v1.diagnostics, []);

      // A burst of in-place rewrites: the last one always ends up emitted.
      for (let i = 2; i <= 20; i++) await writeFile(file, router(`v${i}`));
      await p.next((m) => routers(m).join() === 'v20', 'the last of 19 quick in-place writes');

      const emptyAt = p.messages.findIndex((m) => routers(m).length === 0);
      assert.equal(emptyAt, -1, `message ${emptyAt} had no routers`);
    } finally {
      await p.stop();
    }
  });

  void it('an object broken by an edit keeps serving its last valid version', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dyn.yml');
    await writeFile(file, 'http:\n  routers:\n    r:\n      rule: "Path(`/`)"\n      service: s\n      priority: 5\n');
    const p = run({ filename: file, directory: undefined, watch: true });
    try {
      await p.next((m) => m.config.http.routers['r@file']?.priority === 5, 'initial');
      await writeFile(file, 'http:\n  routers:\n    r:\n      rule: "Path(`/`)"\n      service: s\n      priorty: 6\n');
      const m = await p.next((x) => x.diagnostics.length > 0, 'the error reported');
      assert.equal(m.config.http.routers['r@file']?.priority, 5);
      const d = m.diagnostics[0];
      assert.deepEqual([d?.code, d?.severity, d?.source, d?.line, d?.object], ['TPK_CFG_UNKNOWN_KEY', 'error', file, 6, 'r']);
      assert.match(d?.message ?? '', /keeping its last valid version$/);
    } finally {
      await p.stop();
    }
  });
});

/** Records each look at the file (FileProviderOptions.onLoaded: read or not); `nextLook` waits for the next, in order. */
function lookRecorder(): { onLoaded: (read: boolean) => void; nextLook: () => Promise<boolean>; looks: readonly boolean[] } {
  const looks: boolean[] = [];
  let looked: (() => void) | undefined;
  let seen = 0;
  const nextLook = async (): Promise<boolean> => {
    const n = seen++;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no look at the file')), WAIT_MS);
      looked = () => {
        if (looks.length > n) {
          clearTimeout(timer);
          resolve();
        }
      };
      looked();
    });
    return looks[n] as boolean;
  };
  const onLoaded = (read: boolean): void => {
    looks.push(read);
    looked?.();
  };
  return { onLoaded, nextLook, looks };
}

void describe('file provider: filename', () => {
  void it('does not read the file again for writes to other files of its folder once it is quiet', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dyn.yml');
    await writeFile(file, router('a'));
    // The file's stat stands for its content only once it has gone unwritten for 100 ms (watch.ts,
    // QUIET_MS): that much time must pass, there is no event for it.
    const quietAt = Number((await stat(file, { bigint: true })).ctimeNs / 1_000_000n) + 150;
    await new Promise((r) => setTimeout(r, Math.max(0, quietAt - Date.now())));
    const { onLoaded, nextLook, looks } = lookRecorder();
    const c = run({ filename: file, directory: undefined, watch: true }, { onLoaded });
    try {
      await c.next(() => true, 'initial');
      assert.equal(await nextLook(), true, 'the first look reads');
      await writeFile(join(dir, 'turnpike.log'), 'a log line\n', { flag: 'a' });
      assert.equal(await nextLook(), false, 'a write to another file: the stamp is the same, nothing read');
      await writeFile(file, router('b'));
      await c.next((m) => routers(m).join() === 'b', 'the change');
      assert.ok(looks.slice(2).includes(true), 'a write to the file itself is read');
      assert.equal(c.messages.length, 2);
    } finally {
      await c.stop();
    }
  });

  void it('reads the file again for writes to other files while its last change is within the quiet window', async () => {
    // A stamp taken less than the window after the file's change stands for nothing: a second
    // write within the same clock tick could leave size and times equal. With a window of an hour,
    // no stamp is ever kept, so every event reads.
    const dir = await tempDir();
    const file = join(dir, 'dyn.yml');
    await writeFile(file, router('a'));
    const { onLoaded, nextLook } = lookRecorder();
    const c = run({ filename: file, directory: undefined, watch: true }, { onLoaded, quietMs: 3_600_000 });
    try {
      await c.next(() => true, 'initial');
      assert.equal(await nextLook(), true, 'the first look reads');
      await writeFile(join(dir, 'turnpike.log'), 'a log line\n', { flag: 'a' });
      assert.equal(await nextLook(), true, 'not quiet: read again');
      await writeFile(join(dir, 'turnpike.log'), 'another line\n', { flag: 'a' });
      assert.equal(await nextLook(), true, 'and again');
      assert.equal(c.messages.length, 1, 'read, found the same, nothing emitted');
    } finally {
      await c.stop();
    }
  });

  void it('a large file (its text kept packed between reads) takes one-object edits one after another', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.yml');
    // ~100 KB: over the size from which the kept text is packed (file-text.ts).
    const yaml = (rules: Readonly<Record<number, string>>): string => {
      let out = 'http:\n  routers:\n';
      for (let i = 0; i < 1500; i++) out += `    r${i}:\n      rule: "${rules[i] ?? `Host(\`h${i}.test\`)`}"\n      service: s\n`;
      return out + '  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:9"\n';
    };
    await writeFile(file, yaml({}));
    const p = run({ filename: file, directory: undefined, watch: true }, { packDelayMs: 0 });
    try {
      const first = await p.next(() => true, 'initial');
      assert.equal(routers(first).length, 1500);
      const rule = (m: ProviderMessage, name: string): string | undefined => m.config.http.routers[`${name}@file`]?.rule;
      await writeFile(file, yaml({ 7: 'Host(`seven.test`)' }));
      await p.next((m) => rule(m, 'r7') === 'Host(`seven.test`)', 'first edit');
      await writeFile(file, yaml({ 7: 'Host(`seven.test`)', 900: 'Host(`\u00e9.test`)' }));
      const m = await p.next((x) => rule(x, 'r900') === 'Host(`\u00e9.test`)', 'second edit');
      assert.equal(rule(m, 'r7'), 'Host(`seven.test`)');
      assert.equal(rule(m, 'r8'), 'Host(`h8.test`)');
      await writeFile(file, yaml({}));
      const back = await p.next((x) => rule(x, 'r900') === 'Host(`h900.test`)', 'back to the start');
      assert.equal(rule(back, 'r7'), 'Host(`h7.test`)');
      assert.equal(routers(back).length, 1500);
    } finally {
      await p.stop();
    }
  });

  void it('watches the parent directory: rename-writes and recreation are seen', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dyn.toml');
    await writeFile(file, '[http.routers.one]\nrule = "Path(`/`)"\nservice = "s"\n');
    await writeFile(join(dir, 'other.yml'), router('other'));
    const p = run({ filename: file, directory: undefined, watch: true });
    try {
      const first = await p.next(() => true, 'initial');
      assert.deepEqual(routers(first), ['one'], 'only the named file is read');
      await writeFile(`${file}.tmp`, '[http.routers.two]\nrule = "Path(`/`)"\nservice = "s"\n');
      await rename(`${file}.tmp`, file);
      await p.next((m) => routers(m).join() === 'two', 'rename-write');
    } finally {
      await p.stop();
    }
  });

  void it('a missing file is a warning and an empty configuration; creating it later applies it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'later.yml');
    const p = run({ filename: file, directory: undefined, watch: true });
    try {
      const first = await p.next(() => true, 'initial');
      assert.deepEqual(routers(first), []);
      assert.deepEqual(first.diagnostics.map((d) => [d.code, d.severity]), [['TPK_CFG_FILE_NOT_FOUND', 'warning']]);
      await writeFile(file, router('late'));
      const m = await p.next((x) => routers(x).join() === 'late', 'file created');
      assert.deepEqual(m.diagnostics, []);
    } finally {
      await p.stop();
    }
  });

  void it('without watch, start resolves after the one message', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dyn.yml');
    await writeFile(file, router('once'));
    const messages: ProviderMessage[] = [];
    await createFileProvider({ filename: file, directory: undefined, watch: false }).start(new AbortController().signal, (m) => messages.push(m));
    assert.equal(messages.length, 1);
    assert.deepEqual(routers(messages[0] as ProviderMessage), ['once']);
  });

  void it('needs filename or directory', async () => {
    const messages: ProviderMessage[] = [];
    await createFileProvider({ filename: undefined, directory: undefined, watch: true }).start(new AbortController().signal, (m) => messages.push(m));
    assert.deepEqual(messages[0]?.diagnostics.map((d) => d.code), ['TPK_CFG_PROVIDER']);
  });

  void it('uses the provider name given', () => {
    assert.equal(createFileProvider({ filename: 'x.yml', directory: undefined, watch: false }, { name: 'file2' }).name, 'file2');
  });
});

void describe('checkDynamicFiles', () => {
  void it('reports every problem of a directory at once', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'good.yml'), router('good'));
    await writeFile(join(dir, 'bad.yml'), 'http: [\n');
    await writeFile(join(dir, 'unsupported.yml'), 'http:\n  middlewares:\n    web: {plugin: {demo: {}}}\n');
    const r = await checkDynamicFiles({ directory: dir, filename: undefined, watch: true });
    assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), ['TPK_CFG_PARSE', 'TPK_CFG_UNSUPPORTED']);
    assert.deepEqual(Object.keys(r.config.http.routers), ['good']);
  });

  void it('a missing directory is a warning', async () => {
    const r = await checkDynamicFiles({ directory: join(await tempDir(), 'nope'), filename: undefined, watch: false });
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [['TPK_CFG_FILE_NOT_FOUND', 'warning']]);
  });
});
