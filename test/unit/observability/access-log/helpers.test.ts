/** The access log's small pieces: header name canonicalisation, host:port split, times, server addresses. */
process.env.TZ = 'Etc/GMT-2'; // UTC+2

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHeaderName } from '../../../../src/observability/access-log/fields.js';
import { serviceAddr, splitHostPort, subjectString } from '../../../../src/observability/access-log/entry.js';
import { goCipherName } from '../../../../src/observability/tls-names.js';
import { clfTime, rfc3339Nano, rfc3339Seconds } from '../../../../src/observability/access-log/time-format.js';
import { jsonString } from '../../../../src/observability/access-log/formatters.js';

void describe('access log helpers', () => {
  const names: { desc: string; raw: string; want: string }[] = [
    { desc: 'lower case', raw: 'user-agent', want: 'User-Agent' },
    { desc: 'upper case', raw: 'X-FORWARDED-FOR', want: 'X-Forwarded-For' },
    { desc: 'already canonical', raw: 'Content-Type', want: 'Content-Type' },
    { desc: 'a space makes Go keep it as is', raw: 'bad name', want: 'bad name' },
  ];
  for (const c of names) void it(`canonical header name: ${c.desc}`, () => assert.equal(canonicalHeaderName(c.raw), c.want));

  const hosts: { desc: string; value: string; want: [string, string] }[] = [
    { desc: 'host and port', value: 'example.com:8080', want: ['example.com', '8080'] },
    { desc: 'no port', value: 'example.com', want: ['example.com', '-'] },
    { desc: 'IPv6 with port', value: '[::1]:443', want: ['::1', '443'] },
    { desc: 'IPv6 without port', value: '[::1]', want: ['[::1]', '-'] },
    { desc: 'bare IPv6 (too many colons)', value: '::1', want: ['::1', '-'] },
  ];
  for (const c of hosts) void it(`split host:port: ${c.desc}`, () => assert.deepEqual(splitHostPort(c.value), c.want));

  const t = Date.UTC(2024, 0, 2, 3, 4, 5);
  const times: { desc: string; got: () => string; want: string }[] = [
    { desc: 'CLF in UTC', got: () => clfTime(t, true), want: '02/Jan/2024:03:04:05 +0000' },
    { desc: 'CLF in local time', got: () => clfTime(t, false), want: '02/Jan/2024:05:04:05 +0200' },
    { desc: 'RFC3339Nano, whole second: no fraction', got: () => rfc3339Nano(t, true), want: '2024-01-02T03:04:05Z' },
    { desc: 'RFC3339Nano, trailing zeros trimmed', got: () => rfc3339Nano(t + 120.5, true), want: '2024-01-02T03:04:05.1205Z' },
    { desc: 'RFC3339Nano, local offset', got: () => rfc3339Nano(t + 0.001, false), want: '2024-01-02T05:04:05.000001+02:00' },
    { desc: 'RFC3339 seconds (logrus time)', got: () => rfc3339Seconds(t + 999), want: '2024-01-02T05:04:05+02:00' },
  ];
  for (const c of times) void it(`time: ${c.desc}`, () => assert.equal(c.got(), c.want));

  const strings: { desc: string; value: string; want: string }[] = [
    { desc: 'plain', value: '/a/b?c=d', want: '"/a/b?c=d"' },
    { desc: 'quote and backslash', value: 'a"b\\c', want: '"a\\"b\\\\c"' },
    { desc: 'control character', value: 'a\nb', want: '"a\\nb"' },
    { desc: 'HTML characters, as Go escapes them', value: '<a&b>', want: '"\\u003ca\\u0026b\\u003e"' },
  ];
  for (const c of strings) void it(`JSON string: ${c.desc}`, () => assert.equal(jsonString(c.value), c.want));

  void it('ServiceAddr is the host:port of the server URL as written', () => {
    assert.equal(serviceAddr('http://10.0.0.1:80'), '10.0.0.1:80');
    assert.equal(serviceAddr('https://user:pw@backend.example/path?q'), 'backend.example');
    assert.equal(serviceAddr('h2c://[::1]:9000'), '[::1]:9000');
  });

  void it('TLS cipher and client subject are written as Go writes them', () => {
    assert.equal(goCipherName('ECDHE-ECDSA-AES256-GCM-SHA384'), 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    assert.equal(goCipherName('TLS_AES_128_GCM_SHA256'), 'TLS_AES_128_GCM_SHA256');
    assert.equal(subjectString('C=FR\nO=Acme\nCN=client'), 'CN=client,O=Acme,C=FR');
  });
});
