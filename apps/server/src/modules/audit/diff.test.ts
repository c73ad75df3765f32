import { describe, expect, it } from 'vitest';
import { diffChanges } from './writer.js';

describe('diffChanges', () => {
  it('records no line for an empty list where there was nothing (creation without tags)', () => {
    expect(
      diffChanges(null, { name: '星海', tags: [] as string[] }, ['name', 'tags']).map((c) => c.field),
    ).toEqual(['name']);
  });

  it('still records a list emptied or filled', () => {
    expect(diffChanges({ tags: ['重点'] }, { tags: [] as string[] }, ['tags'])).toEqual([
      { field: 'tags', before: ['重点'], after: [] },
    ]);
    expect(diffChanges(null, { tags: ['重点'] }, ['tags'])).toEqual([
      { field: 'tags', before: null, after: ['重点'] },
    ]);
  });
});
