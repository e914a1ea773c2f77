import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, OverseeError, invalid, type ErrorCode } from './errors.js';

/** The rows of the code table in docs/errors.md: code, status and meaning. */
function documentedCodes(): { code: string; status: number; meaning: string }[] {
  const text = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows: { code: string; status: number; meaning: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*`?(OVS_ERR_[A-Z0-9_]+)`?\s*\|\s*(\d{3})\s*\|(.*)\|\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) rows.push({ code: m[1], status: Number(m[2]), meaning: m[3].trim() });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const rows = documentedCodes();

  it('lists exactly the codes of ERROR_CODES, each once', () => {
    assert.deepEqual(rows.map((r) => r.code).sort(), Object.keys(ERROR_CODES).sort());
    assert.equal(new Set(rows.map((r) => r.code)).size, rows.length, 'no code listed twice');
  });

  it('gives every code the status the server answers with and a meaning', () => {
    for (const r of rows) {
      assert.equal(r.status, ERROR_CODES[r.code as ErrorCode].status, r.code);
      assert.ok(r.meaning.length > 0, `${r.code} has a meaning`);
    }
  });
});

describe('OverseeError', () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];
  for (const code of codes) {
    it(`carries the status of ${code}`, () => {
      const e = new OverseeError(code, 'm');
      assert.equal(e.status, ERROR_CODES[code].status);
      assert.equal(e.code, code);
    });
  }

  it('invalid() names the field in the message and the details', () => {
    const e = invalid('services[2].name', 'must be a non-empty string');
    assert.equal(e.code, 'OVS_ERR_VALIDATION');
    assert.equal(e.message, 'services[2].name: must be a non-empty string');
    assert.deepEqual(e.details, { field: 'services[2].name' });
  });
});
