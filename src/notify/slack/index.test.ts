import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CheckState } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import { sampleMessage, startHttpReceiver, type HttpReceiver } from '../testing.js';
import { DeliveryError } from '../types.js';
import { SLACK_COLOURS, slack } from './index.js';

const ctx = { fetch, timeoutMs: 2000 };

interface SlackBody {
  text: string;
  channel?: string;
  username?: string;
  attachments: Array<{ color: string; fields: Array<{ title: string; value: string }>; ts: number }>;
}

describe('slack channel', () => {
  let rx: HttpReceiver;
  before(async () => { rx = await startHttpReceiver(); });
  after(async () => { await rx.close(); });

  const colours: Array<{ state: CheckState; colour: string }> = [
    { state: 'ERR', colour: '#a30200' },
    { state: 'WARN', colour: '#daa038' },
    { state: 'OK', colour: '#2eb886' },
    { state: 'UNK', colour: '#808080' },
  ];
  for (const { state, colour } of colours) {
    test(`a ${state} event is posted with colour ${colour}`, async () => {
      const config = slack.parseConfig({ url: rx.url, channel: '#ops', username: 'oversee', icon_emoji: ':eyes:' });
      await slack.send(config, sampleMessage({ state, title: `web1/disk: OK -> ${state}` }), ctx);
      const req = rx.requests.at(-1);
      assert.ok(req);
      const body = JSON.parse(req.body) as SlackBody;
      assert.equal(body.text, `web1/disk: OK -> ${state}`);
      assert.equal(body.channel, '#ops');
      assert.equal(body.username, 'oversee');
      assert.equal(body.attachments[0]?.color, colour);
      assert.equal(body.attachments[0]?.color, SLACK_COLOURS[state]);
      assert.deepEqual(body.attachments[0]?.fields.map((f) => f.value), ['/ is 97% full']);
    });
  }

  test('a 404 (webhook revoked) is permanent, a 500 is transient', async () => {
    const config = slack.parseConfig({ url: rx.url });
    rx.respond(404);
    const gone = await slack.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    rx.respond(500);
    const busy = await slack.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    rx.respond(200);
    assert.ok(gone instanceof DeliveryError && gone.permanent);
    assert.ok(busy instanceof DeliveryError && !busy.permanent);
  });
});

describe('slack config validation names the field', () => {
  const cases: Array<{ raw: Record<string, unknown>; field: string }> = [
    { raw: {}, field: 'url' },
    { raw: { url: 'hooks.slack.com/x' }, field: 'url' },
    { raw: { url: 'https://hooks.slack.com/x', icon_emoji: 'eyes' }, field: 'icon_emoji' },
    { raw: { url: 'https://hooks.slack.com/x', channel: 5 }, field: 'channel' },
  ];
  for (const { raw, field } of cases) {
    test(`rejects ${JSON.stringify(raw)} naming ${field}`, () => {
      assert.throws(() => slack.parseConfig(raw), (e: unknown) => e instanceof OverseeError && e.details?.field === field);
    });
  }
});
