import assert from 'node:assert/strict';
import { shiftLine, shiftLineThrough, type LineEdit } from '../../../extension/core/lineShift';

const edit = (startLine: number, startCharacter: number, endLine: number, endCharacter: number, text: string): LineEdit => ({ startLine, startCharacter, endLine, endCharacter, text });

describe('shiftLine: a probe decoration follows its code through edits', () => {
  it('moves down by the lines inserted above and up by the lines deleted above', () => {
    assert.equal(shiftLine(10, edit(2, 0, 2, 0, 'a\nb\nc\n')), 13);
    assert.equal(shiftLine(10, edit(2, 0, 5, 0, '')), 7);
    assert.equal(shiftLine(10, edit(2, 3, 4, 1, 'x\ny')), 9, 'replace 3 lines by 2');
  });

  it('ignores edits below the line and edits inside it', () => {
    assert.equal(shiftLine(10, edit(11, 0, 11, 0, '\n\n')), 10);
    assert.equal(shiftLine(10, edit(10, 4, 10, 4, 'more code')), 10);
    assert.equal(shiftLine(10, edit(10, 4, 10, 4, '\n')), 10, 'splitting the line keeps the probe on its start');
  });

  it('moves down when a line break is typed at its very start', () => {
    assert.equal(shiftLine(10, edit(10, 0, 10, 0, '\n')), 11);
  });

  it('stays when the edit ends exactly at the start of the line', () => {
    assert.equal(shiftLine(10, edit(8, 0, 10, 0, '')), 8);
    assert.equal(shiftLine(10, edit(8, 0, 10, 0, 'one\n')), 9);
  });

  it('finds its code inside a replacement that swallowed it (a paste, a reload), else stays where it began', () => {
    const replacement = 'header\nfunction f() {\n  return x;\n}\n';
    assert.equal(shiftLine(5, edit(3, 0, 8, 0, replacement), '  return x;'), 5);
    assert.equal(shiftLine(5, edit(3, 0, 8, 0, replacement), '  gone();'), 3 + 4);
  });

  it('applies several edits of one change event regardless of the order they are listed in', () => {
    const edits = [edit(1, 0, 1, 0, 'a\n'), edit(20, 0, 20, 0, 'b\n'), edit(3, 0, 4, 0, '')];
    assert.equal(shiftLineThrough(10, edits), 10);
    assert.equal(shiftLineThrough(10, [edit(0, 0, 0, 0, 'x\n'), edit(5, 0, 5, 0, 'y\nz\n')]), 13);
  });
});
