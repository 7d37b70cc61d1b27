import assert from 'node:assert/strict';
import { assertIdentifier, encodeCompactRows, encodeJsonEachRow } from '../../../lib/warehouse/encode-rows.js';
import { WarehouseRejectedError } from '../../../lib/warehouse/parse-error.js';

const lines = (body: Buffer): unknown[] => body.toString('utf8').split('\n').map((line) => JSON.parse(line));

describe('encodeCompactRows', function () {
  it('takes the union of the rows’ keys, in first-seen order, and sends null where a row has no value', function () {
    const { columns, body } = encodeCompactRows([{ a: 1, b: 'x' }, { b: 'y', c: true }, { a: 3, b: undefined }]);
    assert.deepEqual(columns, ['a', 'b', 'c']);
    assert.deepEqual(lines(body), [
      [1, 'x', null],
      [null, 'y', true],
      [3, null, null],
    ]);
  });

  it('keeps one row per line whatever the strings hold', function () {
    const name = 'line\nbreak "quoted" back\\slash 블라우스';
    const { body } = encodeCompactRows([{ name }, { name: '' }]);
    assert.equal(body.toString('utf8').split('\n').length, 2);
    assert.deepEqual(lines(body), [[name], ['']]);
  });

  it('sends bigint as exact decimal text, also nested, and a Date as ISO-8601 UTC', function () {
    const at = new Date('2024-05-01T03:04:05.678Z');
    const { body } = encodeCompactRows([{ big: 2n ** 64n - 1n, at, list: [1n, 2n], map: { k: 3n } }]);
    assert.deepEqual(lines(body), [['18446744073709551615', '2024-05-01T03:04:05.678Z', ['1', '2'], { k: '3' }]]);
  });

  it('rejects NaN and ±Infinity instead of letting JSON turn them into null (the column default)', function () {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(
        () => encodeCompactRows([{ id: 1, amount: 2 }, { id: 2, amount: bad }]),
        (error) => error instanceof WarehouseRejectedError && error.type === 'BAD_ROW' && /amount/.test(error.message),
      );
    }
  });

  it('rejects a column name that is not a plain identifier', function () {
    assert.throws(
      () => encodeCompactRows([{ 'a; DROP': 1 }]),
      (error) => error instanceof WarehouseRejectedError && error.type === 'BAD_IDENTIFIER',
    );
  });

  it('encodes rows of other column lists with their own encoder', function () {
    assert.deepEqual(lines(encodeCompactRows([{ x: 1 }]).body), [[1]]);
    assert.deepEqual(lines(encodeCompactRows([{ y: 2, x: 1 }]).body), [[2, 1]]);
    assert.deepEqual(lines(encodeCompactRows([{ x: 5 }]).body), [[5]]);
  });
});

describe('encodeJsonEachRow', function () {
  it('applies the same cell rules to objects', function () {
    const at = new Date('2024-05-01T03:04:05.678Z');
    assert.deepEqual(lines(encodeJsonEachRow([{ big: 5n, at, gone: undefined }])), [
      { big: '5', at: '2024-05-01T03:04:05.678Z' },
    ]);
    assert.throws(() => encodeJsonEachRow([{ amount: Number.NaN }]), WarehouseRejectedError);
  });
});

describe('assertIdentifier', function () {
  it('accepts plain identifiers and refuses anything else', function () {
    assert.equal(assertIdentifier('table', 'order_items'), 'order_items');
    for (const bad of ['', '1abc', 'db.table', 'a-b', 'a b', '`t`']) {
      assert.throws(() => assertIdentifier('table', bad), WarehouseRejectedError, bad);
    }
  });
});
