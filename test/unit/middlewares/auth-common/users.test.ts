import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadUsers, readUsersFileLines } from '../../../../src/middlewares/auth-common/users.js';
import { parseBasicUser } from '../../../../src/middlewares/basic-auth/htpasswd.js';

void describe('users files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-users-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('keeps trimmed lines, skips blank lines and # comments, accepts CRLF', () => {
    const file = join(dir, 'a.htpasswd');
    writeFileSync(file, '# users\r\n  alice:{SHA}x  \r\n\r\n\tbob:$apr1$a$b\n#carol:x\n');
    assert.deepEqual(readUsersFileLines(file), ['alice:{SHA}x', 'bob:$apr1$a$b']);
  });

  void it('file entries first, inline entries win for the same user', () => {
    const file = join(dir, 'b.htpasswd');
    writeFileSync(file, 'alice:from-file\nbob:from-file\n');
    const users = loadUsers(file, ['alice:inline'], parseBasicUser, 'user:hash');
    assert.deepEqual([...users], [
      ['alice', 'inline'],
      ['bob', 'from-file'],
    ]);
  });

  const errors = [
    { desc: 'missing file', file: 'nope.htpasswd', content: null, inline: [], message: /cannot read usersFile ".*nope\.htpasswd"/ },
    { desc: 'malformed file entry (number given, hash not shown)', file: 'c.htpasswd', content: 'ok:x\nbad-entry\n', inline: [], message: /usersFile ".*c\.htpasswd": entry 2 is not "user:hash"$/ },
    { desc: 'malformed inline entry', file: '', content: null, inline: ['a:b:c'], message: /users\[0\] is not "user:hash"$/ },
  ];
  for (const c of errors) {
    void it(`error: ${c.desc}`, () => {
      const path = c.file === '' ? '' : join(dir, c.file);
      if (c.content !== null) writeFileSync(path, c.content);
      assert.throws(() => loadUsers(path, c.inline, parseBasicUser, 'user:hash'), c.message);
    });
  }
});
