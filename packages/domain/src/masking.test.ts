import { describe, expect, it } from 'vitest';
import { maskEmail, maskMobile, maskText } from './masking.js';

describe('maskMobile', () => {
  it('keeps the first three and last four digits', () => {
    expect(maskMobile('13812345678')).toBe('138****5678');
    expect(maskMobile('+8613812345678')).toBe('138****5678');
    expect(maskMobile('138 1234 5678')).toBe('138****5678');
  });
  it('fully masks values too short to mask partially', () => {
    expect(maskMobile('12345')).toBe('****');
  });
  it('passes null and undefined through', () => {
    expect(maskMobile(null)).toBeNull();
    expect(maskMobile(undefined)).toBeUndefined();
  });
});

describe('maskEmail', () => {
  it('keeps the first character of the local part and the domain', () => {
    expect(maskEmail('zhang@example.com')).toBe('z***@example.com');
    expect(maskEmail('a@b.cn')).toBe('a***@b.cn');
  });
  it('masks a value without @ like text', () => {
    expect(maskEmail('zhang')).toBe('z****');
  });
  it('passes null through', () => {
    expect(maskEmail(null)).toBeNull();
  });
});

describe('maskText', () => {
  it('keeps the first character and masks the rest per character', () => {
    expect(maskText('张三丰')).toBe('张**');
    expect(maskText('Alice')).toBe('A****');
    expect(maskText('😀ab')).toBe('😀**');
  });
  it('does not reveal a single character', () => {
    expect(maskText('张')).toBe('*');
  });
  it('leaves empty, null and undefined as they are', () => {
    expect(maskText('')).toBe('');
    expect(maskText(null)).toBeNull();
    expect(maskText(undefined)).toBeUndefined();
  });
});
