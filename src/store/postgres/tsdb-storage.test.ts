import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTsdbStorageContract } from '../../tsdb/storage-contract.js';
import { openPostgresStore } from './index.js';
import { openPostgresTsdbStorage } from './tsdb-storage.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);

if (skip === null) {
  runTsdbStorageContract('postgres (own pool)', async () => {
    const schema = freshSchemaName();
    return {
      storage: await openPostgresTsdbStorage({ url, schema, poolSize: 2 }),
      reopen: () => openPostgresTsdbStorage({ url, schema, poolSize: 2 }),
      cleanup: () => dropSchema(url, schema),
    };
  });

  runTsdbStorageContract('postgres (on the store pool)', async () => {
    const schema = freshSchemaName();
    const store = await openPostgresStore({ url, schema, poolSize: 4 });
    const again: { close(): Promise<void> }[] = [];
    return {
      storage: await openPostgresTsdbStorage({ pool: store.pool, schema }),
      reopen: async () => {
        const other = await openPostgresStore({ url, schema, poolSize: 2 });
        again.push(other);
        return openPostgresTsdbStorage({ pool: other.pool, schema });
      },
      cleanup: async () => {
        for (const o of again) await o.close();
        await store.close();
        await dropSchema(url, schema);
      },
    };
  });
}

describe('postgres tsdb storage specifics', { skip: skip ?? false }, () => {
  it('keeps each node\'s WAL apart: a node reads and truncates only its own records', async () => {
    const schema = freshSchemaName();
    const a = await openPostgresTsdbStorage({ url, schema, nodeId: 'a', poolSize: 2 });
    const b = await openPostgresTsdbStorage({ url, schema, nodeId: 'b', poolSize: 2 });
    try {
      const a1 = await a.appendWal([], Uint8Array.from([1]));
      const b1 = await b.appendWal([], Uint8Array.from([2]));
      await b.checkpoint([], b1 + 1000);
      assert.deepEqual((await a.readWal()).map((r) => r.id), [a1]);
      assert.deepEqual(await b.readWal(), []);
      assert.equal((await a.stats()).walRecords, 1);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(url, schema);
    }
  });

  it('retention deletes old chunks in batches and keeps the rest', async () => {
    const schema = freshSchemaName();
    const s = await openPostgresTsdbStorage({ url, schema, poolSize: 2 });
    try {
      const chunks = Array.from({ length: 12_000 }, (_, i) => ({
        seriesId: i % 50, tier: 0, windowStart: i * 10, minTs: i * 10, maxTs: i * 10 + 9, count: 1, level: 0, data: Uint8Array.from([i & 255]),
      }));
      await s.checkpoint(chunks, 0);
      assert.equal(await s.deleteChunksBefore(0, 110_000), 11_000);
      assert.equal((await s.stats()).chunks, 1000);
    } finally {
      await s.close();
      await dropSchema(url, schema);
    }
  });
});
