import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = new URL('.', import.meta.url).pathname;
const ALLOWED = new Set(['node:dgram', 'node:fs']);

test('oversee/client imports nothing but its own files, node:dgram and node:fs (zero runtime dependencies)', () => {
  const sources = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(sources.includes('index.ts'));
  for (const f of sources) {
    const text = readFileSync(join(DIR, f), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1] ?? '';
      assert.ok(spec.startsWith('./') || ALLOWED.has(spec), `${f} imports ${spec}`);
    }
  }
});
