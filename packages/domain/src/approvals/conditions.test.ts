import { describe, expect, it } from 'vitest';
import { buildApprovalFacts, evaluateCondition, explainCondition, factAt } from './conditions.js';
import { compareDecimals } from './decimal.js';
import type { Condition } from './definition.js';

const gte = (field: string, value: string): Condition => ({ field, op: 'gte', value });
const gt = (field: string, value: string): Condition => ({ field, op: 'gt', value });

describe('exact decimals', () => {
  it('compares scaled integers, never floats', () => {
    expect(compareDecimals('25', '25.00')).toBe(0);
    expect(compareDecimals('25.01', '25')).toBe(1);
    expect(compareDecimals('0.3', 0.1 + 0.2)).toBe(-1); // 0.30000000000000004 as printed by JS
    expect(compareDecimals('99999999999999999999.99', '99999999999999999999.98')).toBe(1);
    expect(compareDecimals('-1.5', '-1.49')).toBe(-1);
    expect(compareDecimals(1e21, '1')).toBeNull(); // exponent notation is not a decimal
    expect(compareDecimals('0012', '12')).toBeNull(); // codes with leading zeros stay text
    expect(compareDecimals(Number.NaN, '1')).toBeNull();
  });
});

describe('evaluateCondition at the boundaries', () => {
  it('amount ≥ X holds at X exactly, regardless of trailing zeros', () => {
    const c = gte('amount', '25000');
    expect(evaluateCondition(c, { amount: '25000.00' })).toBe(true);
    expect(evaluateCondition(c, { amount: '24999.99' })).toBe(false);
    expect(evaluateCondition(c, { amount: '25000.01' })).toBe(true);
    expect(evaluateCondition(c, { amount: 25000 })).toBe(true);
  });

  it('discount > 25 is false for 25 and 25.00, true for 25.01', () => {
    const c = gt('discountPercent', '25');
    expect(evaluateCondition(c, { discountPercent: '25' })).toBe(false);
    expect(evaluateCondition(c, { discountPercent: '25.00' })).toBe(false);
    expect(evaluateCondition(c, { discountPercent: '25.01' })).toBe(true);
    expect(evaluateCondition(gt('discountPercent', '25.00'), { discountPercent: '25' })).toBe(false);
    expect(
      evaluateCondition({ field: 'discountPercent', op: 'lte', value: '25' }, { discountPercent: '25.00' }),
    ).toBe(true);
    expect(
      evaluateCondition({ field: 'discountPercent', op: 'lt', value: '25' }, { discountPercent: '25.00' }),
    ).toBe(false);
  });

  it('eq/ne compare decimals numerically, text exactly, booleans strictly', () => {
    expect(evaluateCondition({ field: 'amount', op: 'eq', value: '100' }, { amount: '100.00' })).toBe(true);
    expect(evaluateCondition({ field: 'targetTier', op: 'eq', value: 'A' }, { targetTier: 'A' })).toBe(true);
    expect(evaluateCondition({ field: 'targetTier', op: 'eq', value: 'A' }, { targetTier: 'a' })).toBe(false);
    expect(evaluateCondition({ field: 'targetTier', op: 'ne', value: 'A' }, { targetTier: 'B' })).toBe(true);
    expect(evaluateCondition({ field: 'region', op: 'eq', value: '0012' }, { region: '12' })).toBe(false);
    expect(evaluateCondition({ field: 'urgent', op: 'eq', value: true }, { urgent: true })).toBe(true);
    expect(evaluateCondition({ field: 'urgent', op: 'ne', value: true }, { urgent: false })).toBe(true);
    // Mismatched kinds are undecidable, so neither eq nor ne holds.
    expect(evaluateCondition({ field: 'urgent', op: 'eq', value: 'true' }, { urgent: true })).toBe(false);
    expect(evaluateCondition({ field: 'urgent', op: 'ne', value: 'true' }, { urgent: true })).toBe(false);
  });

  it('in / not_in over strings and decimals', () => {
    const inAS: Condition = { field: 'targetTier', op: 'in', value: ['A', 'S'] };
    expect(evaluateCondition(inAS, { targetTier: 'S' })).toBe(true);
    expect(evaluateCondition(inAS, { targetTier: 'B' })).toBe(false);
    expect(evaluateCondition({ ...inAS, op: 'not_in' }, { targetTier: 'B' })).toBe(true);
    expect(evaluateCondition({ ...inAS, op: 'not_in' }, { targetTier: 'A' })).toBe(false);
    expect(evaluateCondition({ field: 'n', op: 'in', value: ['1', '2.5'] }, { n: '2.50' })).toBe(true);
    expect(evaluateCondition({ field: 'n', op: 'not_in', value: ['1'] }, { n: ['1'] })).toBe(false);
  });

  it('in_subtree tests the request department path', () => {
    const c: Condition = { field: 'departmentPath', op: 'in_subtree', value: ['sales'] };
    expect(evaluateCondition(c, { departmentPath: ['root', 'sales', 'east'] })).toBe(true);
    expect(evaluateCondition(c, { departmentPath: ['root', 'sales'] })).toBe(true);
    expect(evaluateCondition(c, { departmentPath: ['root', 'support'] })).toBe(false);
    expect(evaluateCondition(c, { departmentPath: ['root'] })).toBe(false);
    expect(evaluateCondition(c, { departmentPath: [] })).toBe(false);
    expect(evaluateCondition(c, { departmentPath: 'sales' })).toBe(false); // not a path
    expect(
      evaluateCondition({ ...c, value: ['x', 'east'] }, { departmentPath: ['root', 'sales', 'east'] }),
    ).toBe(true);
  });

  it('unknown fields fail closed, also through not, and are reported', () => {
    const c: Condition = { not: gt('discountPercent', '25') };
    expect(evaluateCondition(c, {})).toBe(false);
    expect(explainCondition(c, { amount: '1' })).toEqual({
      holds: false,
      undetermined: true,
      missingFields: ['discountPercent'],
    });
    expect(evaluateCondition(gt('discountPercent', '25'), { discountPercent: null })).toBe(false);
    expect(evaluateCondition(gt('targetTier', '1'), { targetTier: 'A' })).toBe(false); // mistyped
    // any: one true child decides; all: one false child decides.
    expect(evaluateCondition({ any: [gt('missing', '1'), gt('amount', '0')] }, { amount: '5' })).toBe(true);
    expect(
      evaluateCondition({ not: { all: [gt('missing', '1'), gt('amount', '10')] } }, { amount: '5' }),
    ).toBe(true);
    expect(evaluateCondition({ all: [gt('missing', '1'), gt('amount', '0')] }, { amount: '5' })).toBe(false);
    expect(explainCondition(undefined, {})).toEqual({ holds: true, undetermined: false, missingFields: [] });
  });

  it('groups combine as AND / OR / NOT', () => {
    const facts = { amount: '50000', discountPercent: '10' };
    expect(evaluateCondition({ all: [gte('amount', '50000'), gt('discountPercent', '5')] }, facts)).toBe(
      true,
    );
    expect(evaluateCondition({ all: [gte('amount', '50000'), gt('discountPercent', '10')] }, facts)).toBe(
      false,
    );
    expect(evaluateCondition({ any: [gte('amount', '50001'), gt('discountPercent', '9.99')] }, facts)).toBe(
      true,
    );
    expect(evaluateCondition({ not: gte('amount', '50000') }, facts)).toBe(false);
  });
});

describe('facts', () => {
  it('context overrides the payload, so a payload cannot spoof who asks', () => {
    const facts = buildApprovalFacts(
      { requesterId: 'u1', departmentPath: ['root', 'sales'], amount: undefined },
      { requesterId: 'boss', amount: '10.00', nested: { level: 2 }, f: () => 1, bad: Number.NaN },
    );
    expect(facts).toEqual({
      requesterId: 'u1',
      departmentPath: ['root', 'sales'],
      amount: '10.00',
      nested: { level: 2 },
    });
    expect(factAt(facts, 'nested.level')).toBe(2);
    expect(factAt(facts, 'nested.missing')).toBeUndefined();
    expect(factAt(facts, 'amount.x')).toBeUndefined();
    expect(factAt(facts, 'toString')).toBeUndefined();
    expect(evaluateCondition({ field: 'nested.level', op: 'gte', value: '2' }, facts)).toBe(true);
  });
});
