import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SETTINGS, SETTING_NAMES } from './settings.js';

test('docs/configuration.md has one table row per setting naming its default, TOML key, env var and flag', async () => {
  const doc = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| [a-zA-Z]+ \|/.test(l) && !l.startsWith('| Setting'));
  assert.deepEqual(rows.map((r) => r.split('|')[1]?.trim()), SETTING_NAMES);
  for (const name of SETTING_NAMES) {
    const spec = SETTINGS[name];
    const row = rows.find((r) => r.startsWith(`| ${name} |`)) ?? '';
    for (const text of [`\`${spec.toml}\``, `\`${spec.env}\``, `\`${spec.flag}\``, `\`${spec.defaultText.split(' ')[0]}\``]) {
      assert.ok(row.includes(text), `${name}: row should mention ${text}: ${row}`);
    }
  }
});

test('every setting has distinct TOML key, env var and flag', () => {
  for (const field of ['toml', 'env', 'flag'] as const) {
    const values = SETTING_NAMES.map((n) => SETTINGS[n][field]);
    assert.equal(new Set(values).size, values.length, field);
  }
});
