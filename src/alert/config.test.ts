import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { parseAlertingConfig } from './config.js';

const GOOD = `
[alerting]
group_window_s = 5
reminder_interval_s = 3600

[[channels]]
name = "ops-mail"
type = "email"
host = "smtp.example.org"
from = "oversee@example.org"
to = ["ops@example.org"]

[[channels]]
name = "hook"
type = "webhook"
url = "https://example.org/hook"
secret = "k"
enabled = false

[[routes]]
name = "db"
hosts = ["db-*"]
states = ["ERR", "WARN"]
channels = ["hook"]

[[routes]]
name = "rest"
default = true
channels = ["ops-mail"]

[[silences]]
host = "backup-*"
starts = 2026-01-05T22:00:00Z
ends = 2026-01-05T23:30:00Z
recurrence = "daily"
comment = "nightly backup"
`;

test('parses a complete alerting config from TOML', () => {
  const cfg = parseAlertingConfig(parseToml(GOOD));
  assert.equal(cfg.settings.groupWindowMs, 5000);
  assert.equal(cfg.settings.reminderIntervalMs, 3_600_000);
  assert.equal(cfg.settings.reductionMs, 0);
  assert.deepEqual(cfg.channels.map((c) => [c.name, c.type, c.enabled]), [['ops-mail', 'email', true], ['hook', 'webhook', false]]);
  assert.deepEqual(cfg.routes.map((r) => [r.name, r.isDefault, r.channels]), [['db', false, ['hook']], ['rest', true, ['ops-mail']]]);
  assert.deepEqual(cfg.routes[0]?.states, ['ERR', 'WARN']);
  const s = cfg.silences[0];
  assert.ok(s);
  assert.equal(s.startsAt, Date.UTC(2026, 0, 5, 22));
  assert.equal(s.endsAt - s.startsAt, 90 * 60_000);
  assert.equal(s.recurrence, 'daily');
  assert.equal(s.check, '*');
});

test('an empty config means no channels, routes or silences and default settings', () => {
  const cfg = parseAlertingConfig({});
  assert.deepEqual([cfg.channels, cfg.routes, cfg.silences], [[], [], []]);
  assert.equal(cfg.settings.groupWindowMs, 10_000);
  assert.equal(cfg.settings.reminderIntervalMs, 0);
  assert.equal(cfg.settings.expiredState, 'ERR');
  assert.equal(parseAlertingConfig({ alerting: { expired_state: 'WARN' } }).settings.expiredState, 'WARN');
});

const bad: Array<{ name: string; toml: string; key: string }> = [
  { name: 'channel without type', toml: '[[channels]]\nname = "x"\nurl = "http://x/"', key: 'channels[0].type' },
  { name: 'webhook with a bad url', toml: '[[channels]]\nname = "x"\ntype = "webhook"\nurl = "ftp://x"', key: 'channels[0].url' },
  { name: 'email with a bad recipient', toml: '[[channels]]\nname = "x"\ntype = "email"\nhost = "h"\nfrom = "a@b.c"\nto = ["a@b.c", "nope"]', key: 'channels[0].to[1]' },
  { name: 'duplicate channel names', toml: '[[channels]]\nname = "x"\ntype = "webhook"\nurl = "http://x/"\n[[channels]]\nname = "x"\ntype = "webhook"\nurl = "http://y/"', key: 'channels[1].name' },
  { name: 'channels not an array of tables', toml: '[channels]\nname = "x"', key: 'channels' },
  { name: 'route to a missing channel', toml: '[[routes]]\nname = "r"\nchannels = ["nope"]', key: 'routes[0].channels[0]' },
  { name: 'route with a bad state', toml: '[[channels]]\nname = "x"\ntype = "webhook"\nurl = "http://x/"\n[[routes]]\nname = "r"\nstates = ["FAIL"]\nchannels = ["x"]', key: 'routes[0].states[0]' },
  { name: 'route without channels', toml: '[[routes]]\nname = "r"', key: 'routes[0].channels' },
  { name: 'route with an unknown key', toml: '[[routes]]\nname = "r"\nhost = "x"\nchannels = ["x"]', key: 'routes[0].host' },
  { name: 'silence without starts', toml: '[[silences]]\nhost = "x"\nduration_s = 60', key: 'silences[0].starts' },
  { name: 'silence ending before it starts', toml: '[[silences]]\nstarts = 2026-01-05T22:00:00Z\nends = 2026-01-05T21:00:00Z', key: 'silences[0].ends' },
  { name: 'daily silence longer than a day', toml: '[[silences]]\nstarts = 2026-01-05T22:00:00Z\nduration_s = 90000\nrecurrence = "daily"', key: 'silences[0].ends' },
  { name: 'silence with an unknown recurrence', toml: '[[silences]]\nstarts = 2026-01-05T22:00:00Z\nduration_s = 60\nrecurrence = "hourly"', key: 'silences[0].recurrence' },
  { name: 'silence with a local time (no zone)', toml: '[[silences]]\nstarts = 2026-01-05T22:00:00\nduration_s = 60', key: 'silences[0].starts' },
  { name: 'negative group window', toml: '[alerting]\ngroup_window_s = -1', key: 'alerting.group_window_s' },
  { name: 'an unknown expired_state', toml: '[alerting]\nexpired_state = "FAIL"', key: 'alerting.expired_state' },
  { name: 'flap_low above flap_high', toml: '[alerting]\nflap_low = 30\nflap_high = 20', key: 'alerting.flap_low' },
];
for (const b of bad) {
  test(`rejects ${b.name} naming ${b.key}`, () => {
    assert.throws(() => parseAlertingConfig(parseToml(b.toml)), (e: unknown) => e instanceof ConfigError && e.key === b.key && e.message.startsWith(`config: ${b.key}: `));
  });
}
