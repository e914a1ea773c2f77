import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OvercProtocolError, parseAlerts, parseServerId, parseStatusReport } from './overc.js';

const server = { name: 'localhost', key: '1234' };

describe('OverC status reports', () => {
  const accepted: [string, unknown, { name: string; state: string; info: string; periodS: number }[]][] = [
    ['the seed example', { server, period: 60, services: [{ name: 'application', state: 'OK', info: 'up 32h' }, { name: 'cpu', state: 'OK', info: '28% load' }] },
      [{ name: 'application', state: 'OK', info: 'up 32h', periodS: 60 }, { name: 'cpu', state: 'OK', info: '28% load', periodS: 60 }]],
    ['a period sent as a string', { server, period: '60', services: [{ name: 'a', state: 'OK', info: '' }] }, [{ name: 'a', state: 'OK', info: '', periodS: 60 }]],
    ['a per-service period overriding the top-level one', { server, period: 60, services: [{ name: 'a', state: 'OK', info: '', period: '300' }] },
      [{ name: 'a', state: 'OK', info: '', periodS: 300 }]],
    ['only per-service periods', { server, services: [{ name: 'a', state: 'OK', period: 5 }] }, [{ name: 'a', state: 'OK', info: '', periodS: 5 }]],
    ['ERR as critical', { server, period: 60, services: [{ name: 'a', state: 'ERR', info: 'x' }] }, [{ name: 'a', state: 'ERR', info: 'x', periodS: 60 }]],
    ['FAIL as critical (the original server only knew FAIL)', { server, period: 60, services: [{ name: 'a', state: 'FAIL', info: 'x' }] },
      [{ name: 'a', state: 'ERR', info: 'x', periodS: 60 }]],
    ['WARN and UNK', { server, period: 60, services: [{ name: 'a', state: 'WARN', info: '' }, { name: 'b', state: 'UNK', info: '' }] },
      [{ name: 'a', state: 'WARN', info: '', periodS: 60 }, { name: 'b', state: 'UNK', info: '', periodS: 60 }]],
    ['an unknown state as UNK with a note', { server, period: 60, services: [{ name: 'a', state: 'BROKEN', info: 'disk' }] },
      [{ name: 'a', state: 'UNK', info: 'disk (sent unsupported state: "BROKEN")', periodS: 60 }]],
    ['an unknown state without info', { server, period: 60, services: [{ name: 'a', state: 'ok' }] },
      [{ name: 'a', state: 'UNK', info: '(sent unsupported state: "ok")', periodS: 60 }]],
    ['a missing info (the original crashed with 500)', { server, period: 60, services: [{ name: 'a', state: 'OK' }] },
      [{ name: 'a', state: 'OK', info: '', periodS: 60 }]],
    ['an empty service list', { server, period: 60, services: [] }, []],
  ];
  for (const [what, body, expected] of accepted) {
    it(`accepts ${what}`, () => {
      const r = parseStatusReport(body);
      assert.deepEqual(r.server, server);
      assert.deepEqual(r.services.map(({ name, state, info, periodS }) => ({ name, state, info, periodS })), expected);
    });
  }

  const rejected: [string, unknown, RegExp][] = [
    ['a non-object body', [1, 2], /^body: must be an object/],
    ['a missing server', { period: 60, services: [] }, /^server: required/],
    ['a server that is a string', { server: 'x', period: 60, services: [] }, /^server: must be an object/],
    ['an empty server name', { server: { name: ' ', key: 'k' }, period: 60, services: [] }, /^server\.name: must be a non-empty string/],
    ['a missing key', { server: { name: 'a' }, period: 60, services: [] }, /^server\.key: required/],
    ['a numeric key', { server: { name: 'a', key: 1234 }, period: 60, services: [] }, /^server\.key: must be a string, got number 1234/],
    ['a server name over 255 characters', { server: { name: 'x'.repeat(256), key: 'k' }, period: 60, services: [] }, /^server\.name: longer than 255/],
    ['missing services', { server, period: 60 }, /^services: required/],
    ['services that are an object', { server, period: 60, services: {} }, /^services: must be an array/],
    ['a service without a name', { server, period: 60, services: [{ state: 'OK' }] }, /^services\[0\]\.name: required/],
    ['an empty service name', { server, period: 60, services: [{ name: 'ok', state: 'OK' }, { name: '', state: 'OK' }] }, /^services\[1\]\.name: must be a non-empty/],
    ['a control character in a name', { server, period: 60, services: [{ name: 'a\nb', state: 'OK' }] }, /^services\[0\]\.name: must not contain control/],
    ['a numeric state', { server, period: 60, services: [{ name: 'a', state: 0 }] }, /^services\[0\]\.state: must be a string/],
    ['a numeric info', { server, period: 60, services: [{ name: 'a', state: 'OK', info: 5 }] }, /^services\[0\]\.info: must be a string/],
    ['a non-numeric period string', { server, period: 'often', services: [{ name: 'a', state: 'OK' }] }, /^period: must be a positive integer/],
    ['a fractional period', { server, period: 1.5, services: [{ name: 'a', state: 'OK' }] }, /^period: must be an integer from 1/],
    ['a zero period', { server, period: 0, services: [{ name: 'a', state: 'OK' }] }, /^period: must be an integer from 1/],
    ['no period at all', { server, services: [{ name: 'a', state: 'OK' }] }, /^services\[0\]\.period: required/],
    ['a bad metric value', { server, period: 60, services: [{ name: 'a', state: 'OK', metrics: [{ name: 't', value: 'fast' }] }] },
      /^services\[0\]\.metrics\[0\]\.value: must be a finite number/],
  ];
  for (const [what, body, message] of rejected) {
    it(`rejects ${what}, naming the field`, () => {
      assert.throws(() => parseStatusReport(body), (e: unknown) => e instanceof OvercProtocolError && message.test(e.message));
    });
  }

  it('parses perfdata metrics sent with a service', () => {
    const r = parseStatusReport({ server, period: 60, services: [{ name: 'http', state: 'OK', metrics: [
      { name: 'time', value: 0.012, unit: 's', warn: '1', crit: '2', min: 0, max: '10' }, { name: 'size', value: '512' }] }] });
    assert.deepEqual(r.services[0]?.metrics, [
      { name: 'time', value: 0.012, unit: 's', warn: '1', crit: '2', min: 0, max: 10 },
      { name: 'size', value: 512, unit: null, warn: null, crit: null, min: null, max: null },
    ]);
  });
});

describe('OverC alerts and ping', () => {
  it('accepts the seed alert examples', () => {
    const r = parseAlerts({ server, alerts: [{ message: 'System down' }, { message: 'Cannot check state for service A', service: 'queue' }] });
    assert.deepEqual(r.alerts, [{ message: 'System down', service: null, title: null }, { message: 'Cannot check state for service A', service: 'queue', title: null }]);
  });
  const rejected: [string, unknown, RegExp][] = [
    ['missing alerts', { server }, /^alerts: required/],
    ['an alert without message', { server, alerts: [{ service: 'x' }] }, /^alerts\[0\]\.message: required/],
    ['an empty message', { server, alerts: [{ message: '  ' }] }, /^alerts\[0\]\.message: must not be empty/],
    ['a numeric service', { server, alerts: [{ message: 'm', service: 3 }] }, /^alerts\[0\]\.service: must be a string/],
  ];
  for (const [what, body, message] of rejected) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parseAlerts(body), (e: unknown) => e instanceof OvercProtocolError && message.test(e.message));
    });
  }
  it('reads the server id of a ping', () => {
    assert.deepEqual(parseServerId({ server }), server);
    assert.throws(() => parseServerId(null), /body: must be an object, got null/);
  });
});
