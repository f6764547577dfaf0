// The import parsers and row validation, without a database: line numbers and reasons of bad
// rows, parameters from columns or a JSON field, and JSON arrays split element by element.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptedRows, arrayRows, csvRows, emptyImportResult, jsonRows, type SourceRow } from './import.js';
import { ImportLimitError, MAX_RECORD_SIZE } from './limits.js';
import { previewRecipients } from './preview.js';
import { validateRow } from './recipient-row.js';

const reason = (v: ReturnType<typeof validateRow>) => (typeof v === 'string' ? v : JSON.stringify(v));

async function collect(rows: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/** Feeds text in small chunks so parsers must carry state across chunk boundaries. */
async function* chunks(text: string, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
}

describe('campaign import parsing', () => {
  test('accepted rows: bad and repeated numbers are reported in file order; the preview counts the same', async () => {
    const csv = 'phone,param1\n+6281100000000,a\n12,c\n+6281100000000,d\n+6281100002000,e\n';
    const result = emptyImportResult();
    const phones: string[] = [];
    for await (const r of acceptedRows(csvRows(chunks(csv)), result)) phones.push(r.phone);
    assert.deepEqual(phones, ['+6281100000000', '+6281100002000']);
    assert.deepEqual(
      result.rejected.map((r) => r.line),
      [3, 4],
    );
    assert.match(result.rejected[1]!.reason, /repeats line 2/);
    const preview = await previewRecipients(csvRows(chunks(csv)));
    assert.deepEqual([preview.imported, preview.rejectedCount], [2, 2]);
  });

  test('CSV: good rows carry their line; a malformed record is reported and the rest go on', async () => {
    const csv =
      'phone,param1,param2,time_zone\n+6281100000000,Ana,A-1,Asia/Jakarta\n"+6281100001000",Bo"b,x,UTC\n+6281100002000,Cy,,\n+6281100003000,too,many,UTC,cols\n\n081100004000,Di,D-4,\n';
    const rows = await collect(csvRows(chunks(csv)));
    const good = rows.filter((r) => 'row' in r).map((r) => r.line);
    const bad = rows.filter((r) => 'error' in r);
    assert.deepEqual(good, [2, 4, 7]);
    assert.deepEqual(bad.map((r) => r.line).sort(), [3, 5]);
  });

  test('JSON: elements split across chunks with their starting line; a broken element is reported', async () => {
    const json =
      '[\n {"phone": "+6281100000000", "params": ["a, \\"quoted\\" }"]},\n {"phone": "+6281100001000", "x": {"nested": [1, 2]}},\n {"phone": oops},\n {"phone": "+6281100002000"}\n]\n';
    const rows = await collect(jsonRows(chunks(json, 5)));
    assert.deepEqual(
      rows.map((r) => [r.line, 'row' in r]),
      [
        [2, true],
        [3, true],
        [4, false],
        [5, true],
      ],
    );
    const first = rows[0];
    assert.ok(first && 'row' in first);
    assert.deepEqual((first.row as { params: string[] }).params, ['a, "quoted" }']);
  });

  test('JSON: not an array is one error at line 1', async () => {
    const rows = await collect(jsonRows(chunks('{"phone": "+6281100000000"}')));
    assert.equal(rows.length, 1);
    assert.ok(rows[0] && 'error' in rows[0] && rows[0].line === 1);
  });

  test('row validation: E.164, params, time zone', () => {
    assert.deepEqual(validateRow({ phone: '0811-0000-0000', param1: 'a', param3: 'c', param2: '' }, 1, 'ID'), {
      recipientId: 1,
      phone: '+6281100000000',
      params: ['a', '', 'c'],
    });
    assert.deepEqual(validateRow({ phone: '+6281100000000', params: '["x", 2]', time_zone: 'Asia/Makassar' }, 2), {
      recipientId: 2,
      phone: '+6281100000000',
      params: ['x', '2'],
      timeZone: 'Asia/Makassar',
    });
    assert.match(reason(validateRow({ phone: '12' }, 3)), /^phone: "12" is not a valid phone number/);
    assert.equal(validateRow({ param1: 'a' }, 4), 'phone: missing');
    assert.match(reason(validateRow({ phone: '+6281100000000', time_zone: 'Mars/Olympus' }, 5)), /^time_zone:/);
    assert.match(reason(validateRow({ phone: '+6281100000000', params: '{bad' }, 6)), /^params:/);
  });

  test('row validation: national numbers need DEFAULT_REGION and are read in it, never as another country', () => {
    const phoneOf = (v: ReturnType<typeof validateRow>) => (typeof v === 'string' ? v : v.phone);
    for (const raw of ['81234567890', '081234567890', '6281234567890', '812-3456-7890'])
      assert.equal(phoneOf(validateRow({ phone: raw }, 1, 'ID')), '+6281234567890', raw);
    const refused = reason(validateRow({ phone: '81234567890' }, 1));
    assert.equal(refused, 'phone: must be in international form (+ and country code) when DEFAULT_REGION is not set');
    assert.equal(phoneOf(validateRow({ phone: '+6281234567890' }, 1)), '+6281234567890');
    // Possible but not valid (Japan has no such number): refused.
    assert.match(reason(validateRow({ phone: '+8123456789' }, 1)), /^phone: .* is not a valid phone number/);
  });

  test('row validation: a NUL character in a cell refuses the row, naming the column', () => {
    assert.equal(
      validateRow({ phone: '+6281234567890', param1: 'a\0b' }, 1),
      'param1: must not contain NUL characters',
    );
    assert.equal(
      validateRow({ phone: '+6281234567890', params: ['ok', 'x\0'] }, 1),
      'params: must not contain NUL characters',
    );
  });

  test('limits: more rows than maxRows stops the import with a 413 naming CSV_MAX_ROWS', async () => {
    const rows = arrayRows(
      Array.from({ length: 6 }, (_, i) => ({ phone: `+62811000000${String(i).padStart(2, '0')}` })),
    );
    await assert.rejects(
      previewRecipients(rows, { maxRows: 5 }),
      (err: unknown) => err instanceof ImportLimitError && err.status === 413 && /CSV_MAX_ROWS/.test(err.message),
    );
    const ok = await previewRecipients(arrayRows([{ phone: '+6281100000000' }]), { maxRows: 1 });
    assert.equal(ok.imported, 1);
  });

  test('limits: a body over maxBytes fails the rows with a 413 naming CSV_MAX_BYTES', async () => {
    const csv = `phone\n${'+6281100000000\n'.repeat(1_000)}`;
    await assert.rejects(
      collect(csvRows(chunks(csv, 512), { maxBytes: 4_096 })),
      (err: unknown) => err instanceof ImportLimitError && err.status === 413 && /CSV_MAX_BYTES/.test(err.message),
    );
    assert.equal((await collect(csvRows(chunks(csv, 512), { maxBytes: csv.length }))).length, 1_000);
  });

  test('limits: a record over max_record_size (an unterminated quote) refuses the file with a 400', async () => {
    const csv = `phone,param1\n+6281100000000,a\n+6281100001000,"${'x'.repeat(MAX_RECORD_SIZE + 10)}\n+6281100002000,b\n`;
    await assert.rejects(
      collect(csvRows(chunks(csv, 4_096))),
      (err: unknown) => err instanceof ImportLimitError && err.status === 400 && /line 3/.test(err.message),
    );
  });
});
