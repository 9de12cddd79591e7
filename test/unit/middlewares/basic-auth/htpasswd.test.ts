import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BasicVerifier, parseBasicAuthorization } from '../../../../src/middlewares/basic-auth/basic-auth.js';
import { loadBcrypt } from '../../../../src/middlewares/basic-auth/bcrypt.js';
import { hashScheme, md5Crypt, parseBasicUser, verifyPassword } from '../../../../src/middlewares/basic-auth/htpasswd.js';

const bcrypt = loadBcrypt();
const NO_BCRYPT = bcrypt === null ? 'bcryptjs is not installed' : false;
const basic = (userPass: string): string => 'Basic ' + Buffer.from(userPass).toString('base64');

void describe('md5Crypt', () => {
  // Expected values from `openssl passwd -apr1|-1 -salt SALT PASSWORD`.
  const cases = [
    { desc: 'apr1, Traefik documentation example (test/test)', password: 'test', salt: 'H6uskkkW', magic: '$apr1$', want: '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/' },
    { desc: 'crypt(3) $1$ with a UTF-8 password', password: 'pässword', salt: 'saltsalt', magic: '$1$', want: '$1$saltsalt$QgbQ7EUpcKNQTLgSVL4qr/' },
    { desc: 'empty password, short salt', password: '', salt: 'abc', magic: '$apr1$', want: '$apr1$abc$BfqKdn9xFDWJPa3kcp/PH0' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(md5Crypt(Buffer.from(c.password), Buffer.from(c.salt), c.magic), c.want);
    });
  }
});

void describe('verifyPassword', () => {
  const cases = [
    { desc: 'apr1 right password', password: 'test', secret: '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/', want: true },
    { desc: 'apr1 wrong password', password: 'tesT', secret: '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/', want: false },
    { desc: '$1$ right password', password: 'pässword', secret: '$1$saltsalt$QgbQ7EUpcKNQTLgSVL4qr/', want: true },
    { desc: '{SHA} right password', password: 'secret', secret: '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', want: true },
    { desc: '{SHA} wrong password', password: 'secreT', secret: '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', want: false },
    { desc: 'plain text secret never matches (read as MD5-crypt)', password: 'secret', secret: 'secret', want: false },
    { desc: 'SHA-crypt $5$ is not verified by Traefik', password: 'x', secret: '$5$rounds=5000$salt$abc', want: false },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(verifyPassword(Buffer.from(c.password), c.secret, null), c.want);
    });
  }

  void it('bcrypt secrets never match without a verifier', () => {
    assert.equal(verifyPassword(Buffer.from('bcrypt-pass'), '$2y$04$D/BjFRYqQWQxvi5OBhY7IOzqZ0RzhOf65y7WUlhc2ddPK1NPlzIWa', null), false);
  });

  const bcryptCases = [
    { desc: '$2y$ (htpasswd -B) right password', password: 'bcrypt-pass', secret: '$2y$04$D/BjFRYqQWQxvi5OBhY7IOzqZ0RzhOf65y7WUlhc2ddPK1NPlzIWa', want: true },
    { desc: '$2y$ wrong password', password: 'bcrypt-pasS', secret: '$2y$04$D/BjFRYqQWQxvi5OBhY7IOzqZ0RzhOf65y7WUlhc2ddPK1NPlzIWa', want: false },
    { desc: '$2b$ right password', password: 'bcrypt-pass', secret: '$2b$05$8Y6qvssfn6xl/ozAXCaN3OtfmpGKMmXjbwtN7mp2Q5oHvdBu/R81m', want: true },
    { desc: '$2a$ OpenBSD vector U*U', password: 'U*U', secret: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', want: true },
    { desc: '$2x$ read as $2a$', password: 'U*U', secret: '$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', want: true },
    { desc: 'malformed bcrypt hash', password: 'x', secret: '$2y$04$short', want: false },
  ];
  for (const c of bcryptCases) {
    void it(`bcrypt: ${c.desc}`, { skip: NO_BCRYPT }, async () => {
      assert.equal(await verifyPassword(Buffer.from(c.password), c.secret, bcrypt), c.want);
    });
  }
});

void describe('htpasswd entries', () => {
  const cases = [
    { desc: 'user:hash', line: 'test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/', want: { key: 'test', secret: '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/' } },
    { desc: 'no colon', line: 'foobar', want: undefined },
    { desc: 'two colons', line: 'a:b:c', want: undefined },
    { desc: 'empty hash is kept (never matches)', line: 'a:', want: { key: 'a', secret: '' } },
  ];
  for (const c of cases) void it(c.desc, () => assert.deepEqual(parseBasicUser(c.line), c.want));

  const schemes = [
    { desc: '{SHA}', secret: '{SHA}x', want: 'sha1' },
    { desc: '$2a$', secret: '$2a$10$x', want: 'bcrypt' },
    { desc: '$2y$', secret: '$2y$10$x', want: 'bcrypt' },
    { desc: '$apr1$', secret: '$apr1$a$b', want: 'md5crypt' },
    { desc: 'anything else', secret: 'plain', want: 'md5crypt' },
  ];
  for (const c of schemes) void it(`scheme of ${c.desc}`, () => assert.equal(hashScheme(c.secret), c.want));
});

void describe('parseBasicAuthorization', () => {
  const cases = [
    { desc: 'user and password', value: basic('alice:pw'), want: { user: 'alice', password: 'pw' } },
    { desc: 'scheme is case-insensitive', value: 'bAsIc ' + Buffer.from('a:b').toString('base64'), want: { user: 'a', password: 'b' } },
    { desc: 'password with colons splits at the first', value: basic('a:b:c'), want: { user: 'a', password: 'b:c' } },
    { desc: 'empty password', value: basic('a:'), want: { user: 'a', password: '' } },
    { desc: 'no colon', value: basic('alice'), want: undefined },
    { desc: 'not base64', value: 'Basic !!!!', want: undefined },
    { desc: 'base64 needing no padding', value: 'Basic YTpi', want: { user: 'a', password: 'b' } },
    { desc: 'missing padding is refused (Go StdEncoding)', value: 'Basic YTpiYw', want: undefined },
    { desc: 'other scheme', value: 'Bearer abc', want: undefined },
    { desc: 'absent', value: undefined, want: undefined },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const got = parseBasicAuthorization(c.value);
      assert.deepEqual(got === undefined ? undefined : { user: got.user, password: got.password.toString() }, c.want);
    });
  }
});

void describe('BasicVerifier', () => {
  const users = new Map([
    ['test', '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'],
    ['sha', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ='],
    ['bc', '$2y$04$D/BjFRYqQWQxvi5OBhY7IOzqZ0RzhOf65y7WUlhc2ddPK1NPlzIWa'],
  ]);

  void it('answers synchronously for MD5-crypt and SHA-1, and remembers successes', () => {
    const v = new BasicVerifier(users, null);
    assert.equal(v.check(basic('test:test')), 'test');
    assert.equal(v.check(basic('test:test')), 'test');
    assert.equal(v.check(basic('sha:secret')), 'sha');
    assert.equal(v.check(basic('sha:nope')), null);
    assert.equal(v.check(basic('nobody:test')), null);
    assert.equal(v.check(undefined), null);
  });

  void it('bcrypt: a promise once, then a remembered answer; concurrent checks share one verification', { skip: NO_BCRYPT }, async () => {
    const v = new BasicVerifier(users, bcrypt);
    const a = v.check(basic('bc:bcrypt-pass'));
    const b = v.check(basic('bc:bcrypt-pass'));
    assert.ok(a instanceof Promise);
    assert.equal(a, b, 'the same in-flight verification');
    assert.equal(await a, 'bc');
    assert.equal(v.check(basic('bc:bcrypt-pass')), 'bc');
    assert.equal(await v.check(basic('bc:wrong')), null);
  });
});
