import assert from 'node:assert/strict';
import { RecordRejectedError } from '../../../lib/model/errors.js';
import {
  Anomalies, cents, decimalText, epochText, integer, kstDate, optionalTime, parseSourceTime, requiredTime, timeWindow,
} from '../../../lib/model/values.js';

describe('sink values', () => {
  it('reads every date-time shape the sources use; no offset means KST', () => {
    const at = Date.UTC(2026, 0, 10, 0, 12, 44);
    assert.equal(parseSourceTime('2026-01-10T09:12:44+09:00', 'f'), at);
    assert.equal(parseSourceTime('2026-01-10T00:12:44Z', 'f'), at);
    assert.equal(parseSourceTime('2026-01-10 09:12:44', 'f'), at);
    assert.equal(parseSourceTime('2026-01-10T09:12:44.139004', 'f'), at + 139);
    assert.equal(parseSourceTime('2026-01-10T09:12+09:00', 'f'), at - 44_000);
    assert.equal(parseSourceTime('2026-01-10', 'f'), Date.UTC(2026, 0, 9, 15));
    assert.equal(parseSourceTime(null, 'f'), null);
    assert.equal(parseSourceTime('', 'f'), null);
    assert.throws(() => parseSourceTime('yesterday', 'order_date'), (e: Error) => e instanceof RecordRejectedError && /order_date/.test(e.message));
    assert.throws(() => parseSourceTime(1736467964, 'f'), RecordRejectedError);
  });

  it('reads the two usual forms by their digits as the general form reads them, and near misses the general way', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(2000, 0, 1) + Math.floor((i * 7_777_777_777) % 1e12 / 1000) * 1000;
      const kst = new Date(ms + 9 * 3_600_000).toISOString().slice(0, 19);
      assert.equal(parseSourceTime(`${kst}+09:00`, 'f'), ms);
      assert.equal(parseSourceTime(kst.replace('T', ' '), 'f'), ms);
      // The same instant in a form only the general path reads.
      assert.equal(parseSourceTime(`${kst}.000+09:00`, 'f'), ms);
    }
    const at = Date.UTC(2026, 0, 10, 0, 12, 44);
    assert.equal(parseSourceTime('2026-01-10T09:12:44+0900', 'f'), at);
    assert.equal(parseSourceTime('2026-01-10T18:12:44+18:00', 'f'), at);
    for (const bad of ['2026-01-1O 09:12:44', '2026-01-10T09:12:4x+09:00', '2026-01-10T09:12:44+09:0x', '2026/01/10 09:12:44', '2026-01-10X09:12:44']) {
      assert.throws(() => parseSourceTime(bad, 'f'), RecordRejectedError, bad);
    }
  });

  it('writes DateTime64 cells as Unix seconds with milliseconds, and KST days', () => {
    assert.equal(epochText(1736467964123), '1736467964.123');
    assert.equal(epochText(1736467964005), '1736467964.005');
    assert.equal(epochText(1736467964000), '1736467964.000');
    assert.equal(kstDate(Date.UTC(2026, 0, 9, 15)), '2026-01-10');
  });

  it('clamps implausible times and notes them; a missing required time is rejected', () => {
    const window = timeWindow(Date.UTC(2026, 10, 30));
    const anomalies = new Anomalies();
    assert.equal(requiredTime('9999-12-31T00:00:00+09:00', 'order_date', window, anomalies), window.fetchedAtMs);
    assert.equal(optionalTime('1970-01-01T00:00:00Z', 'paid_at', window, anomalies), null);
    assert.equal(optionalTime('2026-11-30T10:00:00+09:00', 'ok', window, anomalies), epochText(Date.UTC(2026, 10, 30, 1)));
    assert.deepEqual(JSON.parse(anomalies.extraJson({ a: 1 })), {
      a: 1, _anomalies: ['order_date', 'paid_at'], _original: { order_date: '9999-12-31T00:00:00+09:00', paid_at: '1970-01-01T00:00:00Z' },
    });
    assert.equal(new Anomalies().extraJson({ a: 1 }), '{"a":1}');
    assert.throws(() => requiredTime(null, 'order_date', window, anomalies), /order_date is missing/);
  });

  it('counts money in exact cents from strings or numbers, and writes it back as decimal text', () => {
    assert.equal(cents('39500.00', 'p'), 3_950_000);
    assert.equal(cents(1000, 'p'), 100_000);
    assert.equal(cents('0.29', 'p'), 29);
    assert.equal(cents(undefined, 'p', 0), 0);
    assert.throws(() => cents('12,000', 'p'), /not an amount/);
    assert.throws(() => cents('99999999999999999999', 'p'), /out of range/);
    assert.equal(decimalText(3_950_005), '39500.05');
    assert.equal(decimalText(-150), '-1.50');
    assert.equal(decimalText(0), '0.00');
  });

  it('reads integers from numbers or digit strings within bounds', () => {
    assert.equal(integer('12', 'n'), 12);
    assert.equal(integer(undefined, 'n', { fallback: 1 }), 1);
    assert.throws(() => integer(1.5, 'n'), /expected an integer/);
    assert.throws(() => integer(-1, 'n'), /below 0/);
  });
});
