import { describe, expect, it } from 'vitest';
import { hasControlChars } from '../../shared/control-chars';
import { CONTINUATION_INDENT, visible, visibleLines } from './visible-text';

describe('visible', () => {
  it('leaves ordinary text as it is', () => {
    expect(visible('Zoë: 東京 🚀 "quoted" \\ back')).toBe('Zoë: 東京 🚀 "quoted" \\ back');
  });

  it('shows each control character as its escape instead of writing it', () => {
    expect(visible('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(visible('\u001b]0;owned\u0007')).toBe('\\x1b]0;owned\\x07');
    expect(visible('x\ry\nz\tw')).toBe('x\\x0dy\\x0az\\x09w');
    expect(visible('\u0000\u007f\u009b\u2028\u2029')).toBe('\\x00\\x7f\\x9b\\u2028\\u2029');
  });
});

describe('visibleLines', () => {
  it('keeps the line breaks of a text, indenting every line after the first', () => {
    expect(visibleLines('one\ntwo\r\nthree\rfour')).toBe(
      ['one', 'two', 'three', 'four'].join(`\n${CONTINUATION_INDENT}`),
    );
  });

  it('writes no control character but the line feeds it puts between lines', () => {
    const out = visibleLines('a\u001b[31m\nb\u0007\u2028c\u009b');
    expect(hasControlChars(out.replaceAll('\n', ''))).toBe(false);
    expect(out).toBe(`a\\x1b[31m\n${CONTINUATION_INDENT}b\\x07\\u2028c\\x9b`);
  });
});
