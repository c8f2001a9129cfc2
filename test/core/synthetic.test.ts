import { describe, expect, it } from 'vitest';
import { generateIdentities, SYNTHETIC_CARRIERS } from '../../src/core/synthetic.ts';
import { validateFactors } from '../../src/core/validate.ts';
import { carrierOf, validatePhone } from '../../src/core/phone.ts';
import { validateIdNumber } from '../../src/core/id-number.ts';
import { luhnValid } from '../../src/core/bank-card.ts';

const NOW = new Date('2025-06-01T04:00:00Z');
const people = [...generateIdentities(3000, 42)];

describe('synthetic identities', () => {
  it('are the same for the same seed and differ for another', () => {
    expect([...generateIdentities(50, 42)]).toEqual(people.slice(0, 50));
    expect([...generateIdentities(50, 'demo')]).toEqual([...generateIdentities(50, 'demo')]);
    expect([...generateIdentities(50, 43)]).not.toEqual(people.slice(0, 50));
    expect([...generateIdentities(0, 1)]).toEqual([]);
  });

  it('are structurally valid: ID, name, bank card with a real BIN and Luhn, mobile number', () => {
    for (const person of people) {
      const v = validateFactors('bankcard3', person, NOW);
      expect(v, JSON.stringify(person)).toMatchObject({ ok: true, factors: { idNumber: person.idNumber, name: person.name, bankCard: person.bankCard } });
      if (v.ok) expect(v.card?.bank).toBeDefined();
      expect(luhnValid(person.bankCard)).toBe(true);
      expect(validatePhone(person.phone)).toMatchObject({ ok: true, phone: person.phone });
    }
  });

  it('look plausible: both sexes, adult birth years, compound surnames, minority names, some abolished regions', () => {
    const facts = people.map((p) => validateIdNumber(p.idNumber, NOW)).flatMap((r) => (r.ok ? [r.facts] : []));
    const sexes = new Set(facts.map((f) => f.sex));
    expect(sexes).toEqual(new Set(['M', 'F']));
    for (const f of facts) expect(f.age).toBeGreaterThanOrEqual(18);
    expect(people.some((p) => /^(欧阳|司马|上官|诸葛)/.test(p.name))).toBe(true);
    expect(people.some((p) => p.name.includes('·'))).toBe(true);
    expect(facts.some((f) => f.region.abolished)).toBe(true);
  });

  it('never repeat an ID number within a seed (the registry would reject it under another name)', () => {
    const ids = new Set<string>();
    for (const p of generateIdentities(50_000, 7)) ids.add(p.idNumber);
    expect(ids.size).toBe(50_000);
  });

  it('give every phone a segment of one of the three networks, and use all three', () => {
    const carriers = people.map((p) => carrierOf(p.phone));
    for (const carrier of carriers) expect(['中国移动', '中国联通', '中国电信']).toContain(carrier);
    expect(new Set(carriers)).toEqual(new Set(SYNTHETIC_CARRIERS));
  });
});
