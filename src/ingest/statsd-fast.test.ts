import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseStatsdDatagram, parseStatsdLine } from '../protocols/statsd.js';
import { parseStatsdDatagramFast, parseStatsdLineFast } from './statsd-fast.js';

describe('statsd fast path', () => {
  const lines = [
    'a.b:1|c', 'a:1|c|@0.5', 'a:-2.5|g', 'a:+3|g', 'u:x|s', 'u:|s', 't:12|ms|#env:prod,region:eu', 'h:3|h', 'd:3|d', 'x:1|c|#a,b:,:c', 'x:1|c|#__proto__:1',
    'x:1|c|@2', 'x:1|c|@0', 'x:1|c|@', 'x:1|c|T123', 'x:1|c|c:abc', 'x:1|c||#a:b', 'x:1|q', 'x:1', 'x|1:c', ':1|c', 'we ird/name:1|c', 'é:1|c',
    'x:1e3|ms', 'x:.5|g', 'x:1.|c', 'x:1e999|c', 'x:abc|c', 'x:1|c|#a:1|#b:2', 'x:1|C',
  ];
  for (const line of lines) it(`parses ${JSON.stringify(line)} exactly as the protocol module`, () => assert.deepEqual(parseStatsdLineFast(line), parseStatsdLine(line)));

  it('fuzz: every line and datagram gives exactly what the protocol module gives', () => {
    const part = fc.oneof(fc.constantFrom('a', 'b.c', 'x-y_z', ':', '|', '@', '#', ',', 'c', 'ms', 'g', 's', 'h', '1', '-2.5', '+3', '0.5', 'T1', 'c:', 'é', ' ', '\r', '__proto__'), fc.string({ maxLength: 3 }));
    const line = fc.array(part, { maxLength: 10 }).map((p) => p.join(''));
    fc.assert(fc.property(line, (l) => assert.deepEqual(parseStatsdLineFast(l), parseStatsdLine(l))), { numRuns: 5000 });
    fc.assert(fc.property(fc.array(line, { maxLength: 4 }).map((ls) => ls.join('\n')), (d) => assert.deepEqual(parseStatsdDatagramFast(d), parseStatsdDatagram(d))), { numRuns: 2000 });
  });
});
