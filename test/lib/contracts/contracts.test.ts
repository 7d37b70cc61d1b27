import assert from 'node:assert/strict';
import {
  encodeRawResultChunks, MAX_CHUNK_BYTES, MAX_RECORD_BYTES, MAX_RECORDS_PER_CHUNK, RawResultContract, SyncRequestContract, TenantContract,
} from '../../../lib/contracts/index.js';

const request = {
  v: 1, requestId: 'req-00000001', tenantId: 'tenant-1', platform: 'cafe24', tier: 'paid', reason: 'scheduled', attempt: 1,
  requestedAt: '2026-11-30T10:00:00.000Z',
} as const;

describe('event contracts', () => {
  it('round-trips a valid SyncRequest and drops unknown fields', () => {
    const decoded = SyncRequestContract.decode(Buffer.from(JSON.stringify({ ...request, smuggled: 'x' })));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value, request);
    assert.deepEqual(SyncRequestContract.decode(SyncRequestContract.encode(request)), { ok: true, value: request });
  });

  it('names the field and the problem for invalid input, never throws', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...request, platform: 'amazon' }, /platform: expected one of ably\|cafe24/],
      [{ ...request, attempt: 0 }, /attempt: expected an integer ≥ 1/],
      [{ ...request, tenantId: '../etc/passwd' }, /tenantId: expected a string matching/],
      [{ ...request, requestedAt: '30/11/2026' }, /requestedAt: expected an ISO-8601/],
      [{ ...request, v: 2 }, /unsupported version 2/],
      [[1, 2], /unsupported version/],
    ];
    for (const [value, reason] of cases) {
      const decoded = SyncRequestContract.decode(Buffer.from(JSON.stringify(value)));
      assert.equal(decoded.ok, false);
      assert.match((decoded as { reason: string }).reason, reason);
    }
    assert.match((SyncRequestContract.decode(Buffer.from([0xff, 0xfe])) as { reason: string }).reason, /malformed JSON/);
  });

  it('refuses to encode an invalid value (a producer bug fails loudly at the source)', () => {
    assert.throws(() => SyncRequestContract.encode({ ...request, attempt: -1 } as never), /refusing to encode an invalid SyncRequest/);
  });

  it('bounds RawResult chunks and keeps records as the source sent them', () => {
    const records = [{ order_id: '1', nested: { a: [1, 2] } }];
    const ok = RawResultContract.decode(RawResultContract.encode({
      v: 1, requestId: 'req-00000001', tenantId: 't1', platform: 'ably', entity: 'orders', chunk: 0, fetchedAt: '2026-11-30T10:00:00Z', records,
    }));
    assert.ok(ok.ok && ok.value.records[0] !== undefined);
    const tooMany = { v: 1, requestId: 'req-00000001', tenantId: 't1', platform: 'ably', entity: 'orders', chunk: 0, fetchedAt: '2026-11-30T10:00:00Z', records: new Array(MAX_RECORDS_PER_CHUNK + 1).fill({}) };
    assert.equal(RawResultContract.decode(Buffer.from(JSON.stringify(tooMany))).ok, false);
  });

  it('chunks records serialising each once: the same JSON the contract writes, bounded by count and bytes', () => {
    const envelope = { v: 1, requestId: 'req-00000001', tenantId: 't1', platform: 'cafe24', entity: 'orders', fetchedAt: '2026-11-30T10:00:00Z' } as const;
    const text = '주문 "quoted" \\ '.repeat(2_000); // ~44 KB of UTF-8 with escapes: ~11 records per 512 KiB chunk
    const records = [
      ...Array.from({ length: 30 }, (_, i) => ({ id: i, text })),
      { id: 'huge', text: 'x'.repeat(MAX_RECORD_BYTES) },
      { id: 'emoji', text: '🙂 이모지 '.repeat(100) },
      // Fewer characters than the limit, more bytes (3 per character): found too large only once encoded.
      { id: 'huge', text: '주'.repeat(Math.ceil(MAX_RECORD_BYTES / 3) + 10) },
      ...Array.from({ length: 1_200 }, (_, i) => ({ id: `s${i}` })),
    ];
    const { values, oversize } = encodeRawResultChunks(envelope, records);
    assert.equal(oversize, 2);
    const decoded = values.map((value) => RawResultContract.decode(value));
    const chunks = decoded.map((d) => (assert.ok(d.ok), d.value));
    assert.deepEqual(chunks.flatMap((c) => c.records), records.filter((r) => r.id !== 'huge'));
    assert.deepEqual(chunks.map((c) => c.chunk), chunks.map((_, i) => i));
    chunks.forEach((chunk, i) => {
      assert.deepEqual(values[i], RawResultContract.encode(chunk), `chunk ${i} is the contract's own JSON`);
      assert.ok(chunk.records.length <= MAX_RECORDS_PER_CHUNK);
      assert.ok(Buffer.byteLength(JSON.stringify(chunk.records)) <= MAX_CHUNK_BYTES + chunk.records.length + 2, `chunk ${i} within the byte bound`);
    });
    assert.ok(chunks.length >= 5, 'large records forced byte-bounded chunks');
  });

  it('accepts only strict Cafe24 mall ids (they become host names)', () => {
    const tenant = { v: 1, tenantId: 't1', tier: 'free', status: 'active', updatedAt: '2026-11-30T10:00:00Z' };
    for (const mallId of ['evil.com/x', 'a', 'UPPER', 'shop-1', 'x'.repeat(17)]) {
      assert.equal(TenantContract.decode(Buffer.from(JSON.stringify({ ...tenant, cafe24: { mallId } }))).ok, false, mallId);
    }
    assert.ok(TenantContract.decode(Buffer.from(JSON.stringify({ ...tenant, cafe24: { mallId: 'myshop01' } }))).ok);
  });
});
