// CSV export cells (security review L7): formulas are neutralised, E.164 numbers stay exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell } from './campaigns.js';

test('a cell a spreadsheet would run as a formula gets a leading quote', () => {
  for (const [input, out] of [
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+1', "'+1+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['["=1+1"]', '"[""=1+1""]"'],
  ] as const)
    assert.equal(csvCell(input), out, JSON.stringify(input));
});

test('E.164 numbers, plain text, null and JSON are written as before', () => {
  assert.equal(csvCell('+6281234567890'), '+6281234567890');
  assert.equal(csvCell('hello, world'), '"hello, world"');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(['a', 'b']), '"[""a"",""b""]"');
  assert.equal(csvCell(3), '3');
});
