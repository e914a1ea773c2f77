// The settings editors' rules that need no browser: which field a server error belongs to, the
// text ↔ list/map conversions, the channel body per type (and back from a read), routes as the API
// gives them, and the role a user with per-project grants has in a project.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../web/src/lib/api.js';
import { bodyOf as channelBody, valuesOf, type ChannelView } from '../web/src/lib/channel-form.js';
import { errorsFrom, formatMap, parseMap, splitList } from '../web/src/lib/form-values.js';
import { bodyOf as routeBody, routeOf } from '../web/src/lib/route-form.js';
import { canAnywhere, canIn, roleIn, type User } from '../web/src/lib/types.js';

describe('server errors on form fields', () => {
  const fields = ['name', 'url', 'to', 'headers', 'channels'];
  test('a validation error goes to the field its message names, also for list items and map keys', () => {
    assert.deepEqual(errorsFrom(new ApiError(400, 'OVS_ERR_VALIDATION', 'url: must be an http:// or https:// URL'), fields), { url: 'url: must be an http:// or https:// URL' });
    assert.deepEqual(errorsFrom(new ApiError(400, 'OVS_ERR_VALIDATION', 'to[1]: "x" is not an email address'), fields), { to: 'to[1]: "x" is not an email address' });
    assert.deepEqual(errorsFrom(new ApiError(400, 'OVS_ERR_VALIDATION', 'headers.X-A: must be a string'), fields), { headers: 'headers.X-A: must be a string' });
  });
  test('an error naming no field of the form, or not a validation error, belongs to the whole form', () => {
    assert.deepEqual(errorsFrom(new ApiError(400, 'OVS_ERR_VALIDATION', 'urll: is not a known field'), fields), { '': 'urll: is not a known field' });
    assert.deepEqual(errorsFrom(new ApiError(409, 'OVS_ERR_CONFLICT', 'name: channel "a" exists'), fields), { '': 'name: channel "a" exists' });
    assert.deepEqual(errorsFrom(new Error('network down'), fields), { '': 'network down' });
  });
});

describe('text ↔ lists and maps', () => {
  test('lists split on commas and lines and drop blanks', () => {
    assert.deepEqual(splitList(' a@b.c, d@e.f\n\n g@h.i ,'), ['a@b.c', 'd@e.f', 'g@h.i']);
  });
  test('maps split each line at the first separator and round-trip', () => {
    assert.deepEqual(parseMap('Authorization: Bearer a:b\nX-Team:ops\n\n', ':'), { Authorization: 'Bearer a:b', 'X-Team': 'ops' });
    assert.deepEqual(parseMap('A=1=2\nB=', '='), { A: '1=2', B: '' });
    assert.deepEqual(parseMap(formatMap({ K: 'v', L: 'w=x' }, '='), '='), { K: 'v', L: 'w=x' });
  });
});

describe('channel form', () => {
  test('a webhook body carries only the filled fields of its type', () => {
    const body = channelBody({ name: 'hook', type: 'webhook', url: 'http://x/', headers: 'A: 1', secret: '', timeout_ms: '', command: '/bin/true' }, true);
    assert.deepEqual(body, { name: 'hook', type: 'webhook', url: 'http://x/', headers: { A: '1' } });
  });
  test('an email body: port as a number, the list of recipients, the certificate check as a boolean; a non-number is sent as typed', () => {
    const v = { name: 'm', type: 'email', host: 'h', port: '2525', from: 'a@b.c', to: 'x@y.z, w@v.u', tls_reject_unauthorized: 'false', security: 'tls' };
    assert.deepEqual(channelBody(v, false), { type: 'email', host: 'h', port: 2525, security: 'tls', from: 'a@b.c', to: ['x@y.z', 'w@v.u'], tls_reject_unauthorized: false });
    assert.equal(channelBody({ ...v, port: 'smtp' }, false).port, 'smtp');
  });
  test('exec arguments are one per line and may hold commas', () => {
    assert.deepEqual(channelBody({ name: 'e', type: 'exec', command: '/bin/x', args: '--to=a,b\n-v', env: 'K=v' }, true).args, ['--to=a,b', '-v']);
  });
  test('a read (camelCase keys, secrets as ***) fills the form and gives back the same body', () => {
    const read: ChannelView = {
      name: 'hook', type: 'webhook', enabled: true, disabledReason: null, origin: 'api', updatedAt: 0,
      config: { url: 'http://x/', headers: { A: '***' }, secret: '***', timeoutMs: 2500 },
    };
    const v = valuesOf(read);
    assert.deepEqual([v.url, v.headers, v.secret, v.timeout_ms], ['http://x/', 'A: ***', '***', '2500']);
    assert.deepEqual(channelBody(v, false), { type: 'webhook', url: 'http://x/', headers: { A: '***' }, secret: '***', timeout_ms: 2500 });
  });
});

describe('channel form: redacted maps', () => {
  test('an exec environment read as "***" stays "***" in the form and in the body (the server keeps the stored one)', () => {
    const read: ChannelView = { name: 'e', type: 'exec', enabled: true, disabledReason: null, origin: 'api', updatedAt: 0, config: { command: '/bin/x', args: [], env: '***', timeoutMs: null } };
    const v = valuesOf(read);
    assert.equal(v.env, '***');
    assert.deepEqual(channelBody(v, false), { type: 'exec', command: '/bin/x', env: '***' });
    assert.deepEqual(channelBody({ ...v, env: 'A=1' }, false).env, { A: '1' });
  });
});

describe('route form', () => {
  test('a route of the API (null criteria, isDefault) becomes lists, and its body re-creates it', () => {
    const r = routeOf({ name: 'rest', projects: null, hosts: ['db-*'], checks: null, states: ['ERR'], tags: null, kinds: null, channels: ['hook'], isDefault: true, id: 3, origin: 'api' });
    assert.deepEqual(r, { name: 'rest', projects: [], hosts: ['db-*'], checks: [], states: ['ERR'], tags: [], kinds: [], channels: ['hook'], default: true, origin: 'api' });
    assert.deepEqual(routeBody(r), { name: 'rest', channels: ['hook'], hosts: ['db-*'], states: ['ERR'], default: true });
  });
});

describe('roles per project', () => {
  const projects = [{ id: 1, name: 'alpha' }, { id: 2, name: 'beta' }, { id: 3, name: 'gamma' }];
  const gus: Pick<User, 'role' | 'projectId' | 'grants'> = { role: 'viewer', projectId: 1, grants: [{ project: null, projectId: 1, role: 'viewer' }, { project: null, projectId: 2, role: 'editor' }] };
  test('the grant of the project counts; none means no role; the every-project role needs a null grant', () => {
    assert.deepEqual([roleIn(gus, 1, projects), roleIn(gus, 2, projects), roleIn(gus, 3, projects), roleIn(gus, null, projects)], ['viewer', 'editor', null, null]);
    assert.deepEqual([canIn(gus, 'editor', 1, projects), canIn(gus, 'editor', 2, projects), canAnywhere(gus, 'editor'), canAnywhere(gus, 'admin')], [false, true, true, false]);
  });
  test('the highest applicable grant wins, and grants may name projects by name', () => {
    const u = { role: 'viewer' as const, projectId: null, grants: [{ project: null, role: 'viewer' as const }, { project: 'beta', role: 'admin' as const }] };
    assert.deepEqual([roleIn(u, 1, projects), roleIn(u, 2, projects), roleIn(u, null, projects)], ['viewer', 'admin', 'viewer']);
  });
  test('a user of a server without grants has its one role in its one project (or everywhere)', () => {
    assert.deepEqual([roleIn({ role: 'editor', projectId: 2 }, 2, projects), roleIn({ role: 'editor', projectId: 2 }, 1, projects), roleIn({ role: 'admin', projectId: null }, 3, projects)], ['editor', null, 'admin']);
  });
});
