import { describe, expect, it } from 'vitest';
import { createGate, REFUSED, type GateServices, type GateStep } from '../../src/access/index.ts';
import { BILL_EVERY_VERDICT } from '../../src/core/index.ts';

const services = {} as GateServices;
const plan = (order: GateStep[]) => () =>
  createGate(services, { dialect: 't', order, billing: BILL_EVERY_VERDICT, checks: { signature: () => REFUSED.signature_invalid, request: () => undefined } });

describe('a gate plan is checked when it is made', () => {
  it('takes the daily step between validate and quota, after rate', () => {
    expect(plan(['secret', 'signature', 'request', 'rate', 'validate', 'daily', 'quota'])).not.toThrow();
    expect(plan(['secret', 'rate', 'validate', 'daily'])).not.toThrow();
  });

  it.each([
    [['secret', 'rate', 'daily', 'quota'], 'daily without validate before it'],
    [['secret', 'rate', 'daily', 'validate', 'quota'], 'daily without validate before it'],
    [['secret', 'validate', 'daily', 'rate', 'quota'], 'daily must come after rate and before quota'],
    [['secret', 'rate', 'validate', 'quota', 'daily'], 'daily must come after rate and before quota'],
    [['secret', 'rate', 'validate', 'daily', 'ip'], 'ip after the core'],
  ] as [GateStep[], string][])('refuses %j', (order, reason) => {
    expect(plan(order)).toThrow(reason);
  });
});
