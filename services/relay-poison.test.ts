// Which failures set a row aside, and how a failing batch is narrowed down to its poison rows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type pg from 'pg';
import { isolateRows, isPoison } from './relay-poison.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

/** A client that records its statements; `run` fails for batches holding a poison row. */
function fakeClient(): { client: pg.PoolClient; sql: string[] } {
  const sql: string[] = [];
  const client = {
    query: async (text: string) => {
      sql.push(text);
      return { rows: [], rowCount: 0 };
    },
  } as unknown as pg.PoolClient;
  return { client, sql };
}

describe('relay poison', () => {
  test('data errors are poison; connection and server trouble is not', () => {
    for (const code of ['22021', '22P05', '22007', '22008', '54000', '23502'])
      assert.equal(isPoison(pgError(code)), true, code);
    for (const code of ['ECONNRESET', '57P01', '08006', '40001', '53300', '57014', '23505'])
      assert.equal(isPoison(pgError(code)), false, code);
    assert.equal(isPoison(new RangeError('Invalid time value')), true);
    assert.equal(isPoison(new Error('Connection terminated unexpectedly')), false);
  });

  test('a batch that fails on poison is retried row by row; only the poison rows are reported', async () => {
    const { client, sql } = fakeClient();
    const done: string[] = [];
    const poisoned = await isolateRows(client, ['a', 'bad1', 'b', 'bad2'], async (rows) => {
      if (rows.some((r) => r.startsWith('bad'))) throw pgError('22021');
      done.push(...rows);
    });
    assert.deepEqual([...poisoned.keys()], ['bad1', 'bad2']);
    assert.match(poisoned.get('bad1')!, /22021/);
    assert.deepEqual(done, ['a', 'b']);
    assert.equal(
      sql.filter((s) => s.startsWith('ROLLBACK TO')).length,
      3,
      'the batch and the two poison rows were rolled back',
    );
  });

  test('a good batch costs one savepoint; a transient failure fails the batch', async () => {
    const { client, sql } = fakeClient();
    assert.equal((await isolateRows(client, [1, 2, 3], async () => undefined)).size, 0);
    assert.deepEqual(sql, ['SAVEPOINT relay_rows', 'RELEASE SAVEPOINT relay_rows']);
    await assert.rejects(
      isolateRows(client, [1, 2], async () => {
        throw pgError('57P01');
      }),
      /57P01/,
    );
  });
});
