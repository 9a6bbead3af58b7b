import { $append } from '../expr/intrinsics';

/** Runs of 13-19 digits, optionally grouped by single spaces or dashes: the shapes card numbers are written in. */
const CARD_CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;
/** A cheap pre-check: most strings have no run of 13 digits and skip the regex walk entirely. */
const MANY_DIGITS = /\d{4}/;

/** Whether `digits` (only 0-9) passes the Luhn checksum card numbers carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * The [start, end) ranges of `text` that look like card numbers (13-19 digits passing Luhn). Runs on the program's
 * thread: appends without Array.prototype (push would reach a program's accessor on an index).
 */
export function findCardNumbers(text: string): Array<[number, number]> {
  if (!MANY_DIGITS.test(text)) return [];
  const found: Array<[number, number]> = [];
  for (const m of text.matchAll(CARD_CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && !/^(\d)\1+$/.test(digits)) $append(found, [m.index, m.index + m[0].length]);
  }
  return found;
}
