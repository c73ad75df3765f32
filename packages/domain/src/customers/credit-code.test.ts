import { describe, expect, it } from 'vitest';
import {
  CREDIT_CODE_ALPHABET,
  creditCodeCheckChar,
  normalizeCreditCode,
  zCreditCode,
} from './credit-code.js';

const VALID = ['914403001922038216', '91330100716105852F', '91350100M000100Y43'];

describe('normalizeCreditCode', () => {
  it.each(VALID)('accepts %s', (code) => {
    expect(normalizeCreditCode(code)).toEqual({ ok: true, value: code });
  });

  it('computes the check character of the valid examples', () => {
    for (const code of VALID) expect(creditCodeCheckChar(code.slice(0, 17))).toBe(code.charAt(17));
  });

  it('maps a check value of 31 to 0', () => {
    // Find a 17-character prefix whose weighted sum is ≡ 0 (mod 31): its check character must be '0'.
    const prefix = '9144030019220382'; // 16 characters; the 17th (weight 28) is chosen to make the sum ≡ 0
    const base = Array.from(prefix).reduce(
      (sum, ch, i) =>
        sum +
        CREDIT_CODE_ALPHABET.indexOf(ch) * [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30][i]!,
      0,
    );
    const last = Array.from(CREDIT_CODE_ALPHABET).find(
      (ch) => (base + CREDIT_CODE_ALPHABET.indexOf(ch) * 28) % 31 === 0,
    )!;
    expect(creditCodeCheckChar(prefix + last)).toBe('0');
    expect(normalizeCreditCode(`${prefix}${last}0`).ok).toBe(true);
  });

  it('normalises full-width, lower-case, spaces and hyphens', () => {
    expect(normalizeCreditCode(' ９１３３０１００７１６１０５８５２ｆ ')).toEqual({
      ok: true,
      value: '91330100716105852F',
    });
    expect(normalizeCreditCode('91350100m000100y43')).toEqual({ ok: true, value: '91350100M000100Y43' });
    expect(normalizeCreditCode('9144 0300 1922 0382-16')).toEqual({ ok: true, value: '914403001922038216' });
  });

  it.each([
    ['914403001922038217', 'wrong check digit'],
    ['91330100716105852E', 'wrong check letter'],
    ['91350100M000100Y44', 'wrong check character'],
    ['91350100I000100Y43', 'letter I'],
    ['91350100O000100Y43', 'letter O'],
    ['91350100S000100Y43', 'letter S'],
    ['91350100V000100Y43', 'letter V'],
    ['91350100Z000100Y43', 'letter Z'],
    ['91440300192203821', '17 characters'],
    ['9144030019220382166', '19 characters'],
    ['', 'empty'],
    ['91440300/192203821', 'other punctuation'],
  ])('rejects %s (%s)', (input) => {
    expect(normalizeCreditCode(input)).toEqual({ ok: false, code: 'CREDIT_CODE_INVALID' });
  });

  it('returns null for a prefix of the wrong length or with invalid characters', () => {
    expect(creditCodeCheckChar('9144030019220382')).toBeNull();
    expect(creditCodeCheckChar('91440300192203821X')).toBeNull();
    expect(creditCodeCheckChar('9144030019220382I')).toBeNull();
  });
});

describe('zCreditCode', () => {
  it('outputs the canonical code and reports the stable code', () => {
    expect(zCreditCode.parse('91330100716105852f')).toBe('91330100716105852F');
    const bad = zCreditCode.safeParse('91330100716105852E');
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['CREDIT_CODE_INVALID']);
    expect(zCreditCode.safeParse(undefined).error?.issues.map((i) => i.message)).toEqual(['REQUIRED']);
  });
});
