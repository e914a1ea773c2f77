// The okerrupdate Python client against a listening server, over a real TCP socket. PyPI is not
// reachable from the build machine and Debian has no okerrupdate package, so the test replays the
// exact bytes the client sends: they were captured from python-requests 2.34 building the client's
// calls (`OkerrProject('default', secret).indicator('test:1', method='numerical|maxlim=37')
// .update('36.6', 'Current temperature is normal')`): first the director lookup
// `GET urljoin(url, '/api/director/<textid>')`, then `POST <answer.rstrip()>update` with a form in
// which the None fields (details, method, policy, error) are left out and tags/keypath/desc are empty.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OKERR_HOST_NAME } from '../src/ingest/okerr-routes.js';
import { appFixture, type AppFixture } from '../src/test-support/app-fixture.js';

const CLIENT_HEADERS = 'User-Agent: python-requests/2.34.2\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\n';

/** One raw HTTP/1.1 exchange on a fresh connection: the status code and the body. */
function exchange(port: number, raw: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(data.slice(0, end));
      if (length === null || data.length - end - 4 < Number(length[1])) return;
      sock.end();
      resolve({ status: Number(data.slice(9, 12)), body: data.slice(end + 4, end + 4 + Number(length[1])) });
    });
    sock.on('error', reject);
    sock.write(raw);
  });
}

function directorRequest(port: number, textid: string): string {
  return `GET /api/director/${textid} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${CLIENT_HEADERS}\r\n`;
}

function updateRequest(port: number, form: string): string {
  return `POST /update HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${CLIENT_HEADERS}Content-Length: ${Buffer.byteLength(form)}\r\n`
    + `Content-Type: application/x-www-form-urlencoded\r\n\r\n${form}`;
}

describe('the okerrupdate client (replayed requests) against a listening server', () => {
  let f: AppFixture;
  let port: number;
  let secret: string;
  before(async () => {
    f = await appFixture();
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    port = (f.app.server.address() as AddressInfo).port;
    secret = (await f.store.projects.getByName('default'))!.ingestToken;
  });
  after(async () => { await f.close(); });

  it('the director answers the URL the client appends "update" to', async () => {
    const r = await exchange(port, directorRequest(port, 'default'));
    assert.equal(r.status, 200);
    assert.equal(`${r.body.trimEnd()}update`, `http://127.0.0.1:${port}/update`);
  });

  it('a numerical indicator update with details is stored as an OK okerr check', async () => {
    const form = `textid=default&name=test%3A1&status=36.6&details=Current+temperature+is+normal&secret=${secret}`
      + '&method=numerical%7Cmaxlim%3D37&tags=&keypath=&origkeypath=&desc=';
    const r = await exchange(port, updateRequest(port, form));
    assert.deepEqual(r, { status: 200, body: 'OK' });
    const project = (await f.store.projects.getByName('default'))!;
    const host = (await f.store.hosts.getWithKey(project.id, OKERR_HOST_NAME))!;
    const check = (await f.store.checks.getByName(host.id, 'test:1'))!;
    assert.deepEqual([check.source, check.state, check.info, check.periodS], ['okerr', 'OK', 'Current temperature is normal', 3600]);
  });

  it('a heartbeat update without details, method and policy, with tags, is accepted', async () => {
    const form = `textid=default&name=test%3A2&status=OK&secret=${secret}&tags=a_b%2Cc&keypath=&origkeypath=&desc=`;
    assert.deepEqual(await exchange(port, updateRequest(port, form)), { status: 200, body: 'OK' });
  });

  it('a wrong secret gets a non-200 answer, which the client raises as OkerrExc with the text', async () => {
    const form = 'textid=default&name=test%3A3&status=OK&secret=nope&tags=&keypath=&origkeypath=&desc=';
    assert.deepEqual(await exchange(port, updateRequest(port, form)), { status: 400, body: 'Bad secret' });
  });
});
