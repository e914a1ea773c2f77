#!/usr/bin/env node
// Builds the web app with Vite into dist/web and writes .gz and .br next to each asset, so the
// server sends compressed files without compressing per request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { build } from 'vite';

const here = new URL('.', import.meta.url).pathname;
await build({ configFile: join(here, 'vite.config.mjs'), logLevel: 'warn' });
const assets = join(here, '..', 'dist', 'web', 'assets');
let total = 0;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json)$/.test(name)) continue;
  const body = readFileSync(join(assets, name));
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(join(assets, `${name}.gz`), gz);
  writeFileSync(join(assets, `${name}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  if (name.endsWith('.js')) total += gz.length;
}
console.log(`web: built dist/web (JavaScript ${(total / 1024).toFixed(1)} KB gzipped)`);
