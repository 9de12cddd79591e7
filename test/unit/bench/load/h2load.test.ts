import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { h2loadArgs, h2loadResult, parseH2loadOutput, percentilesFromLog } from '../../../../bench/load/h2load.js';

// Real h2load 1.52 output (nginx closed its connections after 1,000 requests each: errors counted).
const OUT = `starting benchmark...
spawning thread #0: 4 total client(s). Timing-based test with 0s of warm-up time and 2s of main duration for measurements.
TLS Protocol: TLSv1.3
Cipher: TLS_AES_128_GCM_SHA256
Server Temp Key: X25519 253 bits
Application protocol: h2
Process Request Failure:2
Main benchmark duration is over for thread #0. Stopping all clients.

finished in 2.00s, 2000.00 req/s, 140.75KB/s
requests: 4015 total, 4036 started, 4015 done, 4000 succeeded, 15 failed, 15 errored, 0 timeout
status codes: 3990 2xx, 0 3xx, 10 4xx, 0 5xx
traffic: 281.51KB (288264) total, 187.50KB (192000) headers (space savings 51.02%), 23.44KB (24000) data
                     min         max         mean         sd        +/- sd
time for request:      140us      1.74ms       680us       273us    78.00%
time for connect:     5.13ms     10.30ms      8.07ms      2.60ms    75.00%
`;

void describe('parseH2loadOutput', () => {
  void it('reads req/s, done, errors, non-2xx, mean latency and the protocol', () => {
    assert.deepEqual(parseH2loadOutput(OUT), { requestsPerSec: 2000, done: 4015, succeeded: 4000, errored: 15, non2xx: 10, meanMs: 0.68, protocol: 'h2' });
  });
  void it('throws without the summary', () => {
    assert.throws(() => parseH2loadOutput('No protocol negotiated. Fallback behaviour may be activated\n'), /finished line/);
  });
  void it('reports no protocol when ALPN failed', () => {
    assert.equal(parseH2loadOutput(OUT.replace('Application protocol: h2\n', '')).protocol, undefined);
  });
});

void describe('percentilesFromLog', () => {
  void it('takes p50 and p99 of the answered requests, skipping status -1', () => {
    const lines = [];
    for (let i = 1; i <= 100; i++) lines.push(`17956872912${i}\t200\t${i * 1000}`);
    lines.push('1795687291999\t-1\t999999999');
    const p = percentilesFromLog(lines.join('\n') + '\n');
    assert.deepEqual(p, { p50Ms: 50, p99Ms: 99 });
  });
  void it('is undefined for an empty log', () => assert.equal(percentilesFromLog(''), undefined));
});

void describe('h2loadResult', () => {
  void it('falls back to the mean for p50 without a log', () => {
    const r = h2loadResult(parseH2loadOutput(OUT), '');
    assert.equal(r.p50Ms, 0.68);
    assert.ok(Number.isNaN(r.p99Ms));
    assert.equal(r.requests, 4015);
    assert.equal(r.socketErrors, 15);
  });
});

void describe('h2loadArgs', () => {
  void it('one thread, connections, streams, duration in ms, SNI host with --connect-to, optional log', () => {
    assert.deepEqual(h2loadArgs(8443, 'h500.test', '/16k', { connections: 64, streams: 10, durationMs: 10_000 }, '/tmp/x.log'), [
      '-t1',
      '-c64',
      '-m10',
      '-D10000ms',
      '--connect-to=127.0.0.1:8443',
      '--log-file=/tmp/x.log',
      'https://h500.test:8443/16k',
    ]);
    assert.equal(h2loadArgs(1, 'h', '/', { connections: 1, streams: 1, durationMs: 1000 }, undefined).some((a) => a.startsWith('--log-file')), false);
  });
});
