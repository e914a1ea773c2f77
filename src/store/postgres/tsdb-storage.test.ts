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

  it('gives every node the same id for one series identity, and distinct ids to distinct ones', async () => {
    const schema = freshSchemaName();
    const nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => openPostgresTsdbStorage({ url, schema, nodeId, poolSize: 2 })));
    try {
      const ident = (i: number) => ({ projectId: 1, name: `m${i % 20}`, tags: { host: `h${i % 3}` }, type: 'gauge' as const, createdAt: 1 });
      const batches = await Promise.all(nodes.flatMap((n) => [0, 1, 2].map((k) => n.assignSeriesIds(Array.from({ length: 60 }, (_, i) => ident(i + k * 7))))));
      const idOf = new Map<string, number>();
      batches.forEach((ids, b) => ids.forEach((id, i) => {
        const key = JSON.stringify(ident(i + (b % 3) * 7));
        if (idOf.has(key)) assert.equal(idOf.get(key), id, `one id for ${key}`);
        idOf.set(key, id);
      }));
      assert.equal(new Set(idOf.values()).size, idOf.size, 'distinct identities, distinct ids');
      assert.equal((await nodes[0]!.loadSeries()).length, idOf.size);
    } finally {
      for (const n of nodes) await n.close();
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
