// Provider times: a Date only between 2000 and ten years from now, never an Invalid Date.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromEpoch, parseItdDate } from './itd/time.js';
import { parseNusaDate } from './nusasms/time.js';
import { plausibleTime } from './plausible-time.js';
import { parseWappinTimestamp } from './wappin/time.js';

test('implausible provider times are undefined or a 400 naming the field, never an Invalid Date', () => {
  const now = Date.UTC(2026, 11, 4);
  assert.equal(plausibleTime(Date.UTC(1999, 11, 31), now), undefined);
  assert.equal(plausibleTime(Date.UTC(2036, 0, 1), now)?.toISOString(), '2036-01-01T00:00:00.000Z');
  assert.equal(plausibleTime(Date.UTC(2037, 0, 1), now), undefined);
  assert.equal(plausibleTime(Number.NaN, now), undefined);
  assert.equal(parseWappinTimestamp('100000000000000000000'), undefined);
  assert.equal(parseWappinTimestamp(1e308), undefined);
  assert.equal(parseWappinTimestamp('1700000000')?.toISOString(), '2023-11-14T22:13:20.000Z');
  assert.equal(parseItdDate('26/12/9999 16:07'), undefined);
  assert.equal(parseItdDate('26/12/2019 16:07')?.toISOString(), '2019-12-26T19:07:00.000Z');
  assert.equal(parseNusaDate('9999-09-25 17:49:05.0'), undefined);
  assert.throws(
    () => fromEpoch(1e300),
    (err: Error & { field?: string }) => /sendAt/.test(err.message),
  );
  assert.equal(fromEpoch(1582637824000).toISOString(), '2020-02-25T13:37:04.000Z');
});
