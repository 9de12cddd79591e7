import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWrkOutput, parseWrkTime, wrkArgs } from '../../../../bench/load/wrk.js';

const CLEAN = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.46ms  289.12us   9.80ms   88.22%
    Req/Sec    44.31k     1.02k   46.01k    70.00%
  Latency Distribution
     50%    1.42ms
     75%    1.53ms
     90%    1.70ms
     99%    2.51ms
  440923 requests in 10.00s, 67.28MB read
Requests/sec:  44083.61
Transfer/sec:      6.73MB
`;

const WITH_ERRORS = `Running 2s test @ http://127.0.0.1:8080/
  1 threads and 64 connections
  Latency Distribution
     50%  850.00us
     75%    1.00ms
     90%    1.20ms
     99%    1.05s
  1200 requests in 2.00s, 100.00KB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:    600.00
Transfer/sec:     50.00KB
`;

void describe('parseWrkOutput', () => {
  void it('reads req/s, total, p50 and p99 from a clean run', () => {
    assert.deepEqual(parseWrkOutput(CLEAN), { requestsPerSec: 44083.61, requests: 440923, p50Ms: 1.42, p99Ms: 2.51, non2xx: 0, socketErrors: 0 });
  });

  void it('converts units and counts errors', () => {
    const r = parseWrkOutput(WITH_ERRORS);
    assert.equal(r.p50Ms, 0.85);
    assert.equal(r.p99Ms, 1050);
    assert.equal(r.non2xx, 7);
    assert.equal(r.socketErrors, 6);
  });

  void it('throws without --latency output', () => {
    assert.throws(() => parseWrkOutput('Requests/sec: 1.0\n'), /50% latency/);
  });

  void it('throws without a Requests/sec line', () => {
    assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /Requests\/sec/);
  });
});

void describe('parseWrkTime', () => {
  const cases = [
    { desc: 'microseconds', input: '250.00us', ms: 0.25 },
    { desc: 'milliseconds', input: '3.10ms', ms: 3.1 },
    { desc: 'seconds', input: '2.00s', ms: 2000 },
    { desc: 'minutes', input: '1.00m', ms: 60000 },
  ];
  for (const c of cases) void it(c.desc, () => assert.ok(Math.abs(parseWrkTime(c.input) - c.ms) < 1e-9));
  void it('rejects garbage', () => assert.throws(() => parseWrkTime('fast')));
});

void describe('wrkArgs', () => {
  void it('sets one thread, connections, duration, latency and the Host header', () => {
    assert.deepEqual(wrkArgs('http://127.0.0.1:1/', 'h500.test', 64, '10s'), ['-t1', '-c64', '-d10s', '--latency', '-H', 'Host: h500.test', 'http://127.0.0.1:1/']);
  });
});
