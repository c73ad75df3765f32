import { describe, expect, it } from 'vitest';
import {
  RFM_SEGMENT_NAMES,
  RFM_SEGMENTS,
  rfmSegment,
  rfmStatistics,
  scoreRfm,
  scoreRfmPopulation,
} from './rfm.js';

describe('RFM bins', () => {
  it('quintiles of ten distinct values: two per bin; recency inverted', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      recency: i + 1,
      frequency: i + 1,
      monetary: `${(i + 1) * 100}.00`,
    }));
    const { statistics, scores } = scoreRfmPopulation(rows);
    // cut points c_j = v(⌈2j⌉) = 2, 4, 6, 8 (ascending); recency descending: 9, 7, 5, 3
    expect(statistics.frequency.cuts).toEqual(['2', '4', '6', '8']);
    expect(statistics.monetary.cuts).toEqual(['200', '400', '600', '800']);
    expect(statistics.recency.cuts).toEqual(['9', '7', '5', '3']);
    expect(scores.map((s) => s.f)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((s) => s.r)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    expect(scores[9]?.code).toBe('155');
  });
  it('ties share a bin (the lowest their block reaches), independent of row order', () => {
    // six customers with 1 order, then 2, 3, 5, 8: 1s → bin 1; 2 → 1 + ⌊5·6/10⌋ = 4; 3 → 1 + ⌊5·7/10⌋ = 4; 5 → 5; 8 → 5
    const freq = [1, 1, 1, 1, 1, 1, 2, 3, 5, 8];
    const rows = freq.map((f) => ({ recency: 10, frequency: f, monetary: '1' }));
    const scores = scoreRfmPopulation(rows).scores.map((s) => s.f);
    expect(scores).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    const reversed = scoreRfmPopulation([...rows].reverse()).scores.map((s) => s.f);
    expect(reversed).toEqual([...scores].reverse());
    // everyone equal: everyone in bin 1
    expect(scoreRfmPopulation(rows).scores.every((s) => s.r === 1 && s.m === 1)).toBe(true);
  });
  it('formula check against ⌊bins·below/n⌋ for a population with many ties', () => {
    const values = [5, 3, 3, 9, 1, 3, 7, 7, 2, 9, 9, 0, 4];
    const rows = values.map((v) => ({ recency: 0, frequency: v, monetary: 0 }));
    const { scores } = scoreRfmPopulation(rows, { bins: 4, segmentBasis: 'values' });
    values.forEach((v, i) => {
      const below = values.filter((w) => w < v).length;
      expect(scores[i]?.f).toBe(1 + Math.floor((4 * below) / values.length));
    });
  });
  it('missing values score 1 and are low; new values use the stored cut points', () => {
    const rows = [
      { recency: 5, frequency: 3, monetary: '300' },
      { recency: 50, frequency: 1, monetary: '100' },
      { recency: null, frequency: 0, monetary: '0' },
    ];
    const { statistics, scores } = scoreRfmPopulation(rows, { bins: 2, segmentBasis: 'values' });
    expect(scores[2]).toMatchObject({ r: 1, high: { r: false } });
    expect(statistics.recency.count).toBe(2);
    // a triggered re-score of a new customer with the last full run's statistics (JSON round trip)
    const stored = JSON.parse(JSON.stringify(statistics));
    expect(scoreRfm({ recency: 1, frequency: 10, monetary: '1000' }, stored).code).toBe('222');
  });
  it('rejects bins outside 2–10', () => {
    expect(() => rfmStatistics([], 1)).toThrow(RangeError);
    expect(() => rfmStatistics([], 11)).toThrow(RangeError);
  });
});

describe('RFM segments', () => {
  it('names the eight segments in both languages', () => {
    expect(RFM_SEGMENTS.map((s) => RFM_SEGMENT_NAMES[s].zh)).toEqual([
      '重要价值客户',
      '重要发展客户',
      '重要保持客户',
      '重要挽留客户',
      '一般价值客户',
      '一般发展客户',
      '一般保持客户',
      '一般挽留客户',
    ]);
    expect(RFM_SEGMENT_NAMES.important_winback.en).toBe('Important win-back');
  });
  it('maps high/low R, F, M to the classic segments', () => {
    const expected: [boolean, boolean, boolean, string][] = [
      [true, true, true, 'important_value'],
      [true, false, true, 'important_development'],
      [false, true, true, 'important_retention'],
      [false, false, true, 'important_winback'],
      [true, true, false, 'general_value'],
      [true, false, false, 'general_development'],
      [false, true, false, 'general_retention'],
      [false, false, false, 'general_winback'],
    ];
    for (const [r, f, m, segment] of expected) expect(rfmSegment(r, f, m)).toBe(segment);
  });
  it('high/low against the exact tenant average; equal to the average is high', () => {
    // averages: recency (10+30+20)/3 = 20, frequency (1+5+3)/3 = 3, monetary (100+0.01+50)/3 = 50.0033…
    const rows = [
      { recency: 10, frequency: 1, monetary: '100' }, // R high, F low, M high → important development
      { recency: 30, frequency: 5, monetary: '0.01' }, // R low, F high, M low → general retention
      { recency: 20, frequency: 3, monetary: '50' }, // R = avg (high), F = avg (high), M just below avg (low)
    ];
    const { scores } = scoreRfmPopulation(rows);
    expect(scores.map((s) => s.segment)).toEqual([
      'important_development',
      'general_retention',
      'general_value',
    ]);
    const all = scoreRfmPopulation(
      RFM_SEGMENTS.map((_, i) => ({
        recency: i % 2 ? 100 : 1,
        frequency: i % 3 ? 1 : 9,
        monetary: i < 4 ? '1000' : '1',
      })),
    );
    expect(new Set(all.scores.map((s) => s.segment)).size).toBeGreaterThan(3);
  });
  it('segment basis "scores" compares bin scores with their average', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      recency: 10 - i,
      frequency: i,
      monetary: String(i),
    }));
    const { scores } = scoreRfmPopulation(rows, { bins: 5, segmentBasis: 'scores' });
    // scores 1,1,2,2,3,3,4,4,5,5 average 3: a score of 3 is high
    expect(scores[4]).toMatchObject({ f: 3, high: { f: true } });
    expect(scores[3]).toMatchObject({ f: 2, high: { f: false } });
    expect(scores[9]?.segment).toBe('important_value');
    expect(scores[0]?.segment).toBe('general_winback');
  });
});
