import { describe, expect, it } from 'vitest';
import { pinyinKey } from './pinyin.js';

describe('pinyin sort and search key', () => {
  it('gives full toneless pinyin and initials', () => {
    expect(pinyinKey('赵明')).toBe('zhaoming zm');
    expect(pinyinKey('吕布')).toBe('lvbu lb');
  });

  it('reads common polyphones in context', () => {
    expect(pinyinKey('重庆长安')).toBe('chongqingchangan cqca');
  });

  it('sorts names in the order Chinese users expect', () => {
    const names = ['周婷', '陈静', '赵明', '安然', 'Bob', '李强'];
    const sorted = [...names].sort((a, b) => (pinyinKey(a) < pinyinKey(b) ? -1 : 1));
    expect(sorted).toEqual(['安然', 'Bob', '陈静', '李强', '赵明', '周婷']);
  });

  it('keeps Latin names readable', () => {
    expect(pinyinKey('Alice 王')).toBe('alicewang aw');
  });

  it('takes one initial per syllable and per run of other characters, whatever the polyphone reads in context', () => {
    expect(pinyinKey('银行行长')).toBe('yinhanghangzhang yhhz');
    expect(pinyinKey('3M 中国（上海）有限公司')).toBe('3mzhongguo（shanghai）youxiangongsi 3zg（sh）yxgs');
  });
});
