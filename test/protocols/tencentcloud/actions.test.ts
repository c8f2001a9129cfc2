import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { KIND_FACTORS } from '../../../src/core/factors.ts';
import {
  ACTION_NAMES,
  ACTIONS,
  ENCRYPTION_FIELDS,
  checkParameters,
  encryptionParameter,
  factorsOf,
  isActionName,
  type ActionName,
  type Encryption,
  type RequestOf,
} from '../../../src/protocols/tencentcloud/index.ts';
import type * as Models from 'tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_models';

/** The vendor's own model declarations, shipped in the SDK: the oracle for names, types and optionality. */
const MODELS = readFileSync(createRequire(import.meta.url).resolve('tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_models.d.ts'), 'utf8');
const TS_TYPES: Record<string, string> = { string: 'String', number: 'Integer', 'Array<string>': 'Array of String', Encryption: 'Encryption' };

function vendorFields(iface: string): [name: string, type: string, required: boolean][] {
  const body = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(MODELS)?.[1];
  if (body === undefined) throw new Error(`no interface ${iface} in the SDK's models`);
  return [...body.matchAll(/^ {4}(\w+)(\??): (.+);$/gm)].map(([, name, optional, type]) => [name!, TS_TYPES[type!] ?? `?${type}`, optional === '']);
}

const ours = (fields: readonly { name: string; type: string; required: boolean }[]) => fields.map((f) => [f.name, f.type, f.required]);

describe('the five actions', () => {
  it.each(ACTION_NAMES)('%s has exactly the fields of the vendor\'s model, in its order, with its types and required-ness', (action) => {
    expect(ours(ACTIONS[action].params)).toEqual(vendorFields(`${action}Request`));
  });

  it('Encryption has the fields of the vendor\'s model', () => {
    expect(ours(ENCRYPTION_FIELDS)).toEqual(vendorFields('Encryption'));
  });

  it.each(ACTION_NAMES)('%s carries its kind\'s factors in the order the core validates them', (action) => {
    const { kind, params } = ACTIONS[action];
    expect(params.flatMap((p) => ('factor' in p ? [p.factor] : []))).toEqual(KIND_FACTORS[kind]);
  });

  it('maps each action to its own kind', () => {
    expect(Object.fromEntries(ACTION_NAMES.map((a) => [a, ACTIONS[a].kind]))).toEqual({
      IdCardVerification: 'idcard2',
      BankCardVerification: 'bankcard3',
      BankCard2EVerification: 'bankcard2',
      BankCard4EVerification: 'bankcard4',
      PhoneVerification: 'phone3',
    });
    expect(isActionName('PhoneVerification')).toBe(true);
    expect(isActionName('phoneverification')).toBe(false);
    expect(isActionName('toString')).toBe(false);
    expect(isActionName('__proto__')).toBe(false);
  });

  it('derives request types the SDK\'s own models agree with', () => {
    expectTypeOf<RequestOf<'IdCardVerification'>>().toEqualTypeOf<Models.IdCardVerificationRequest>();
    expectTypeOf<RequestOf<'BankCardVerification'>>().toEqualTypeOf<Models.BankCardVerificationRequest>();
    expectTypeOf<RequestOf<'BankCard2EVerification'>>().toEqualTypeOf<Models.BankCard2EVerificationRequest>();
    expectTypeOf<RequestOf<'BankCard4EVerification'>>().toEqualTypeOf<Models.BankCard4EVerificationRequest>();
    expectTypeOf<RequestOf<'PhoneVerification'>>().toEqualTypeOf<Models.PhoneVerificationRequest>();
    expectTypeOf<Encryption>().toEqualTypeOf<Models.Encryption>();
  });
});

describe('checkParameters', () => {
  const ID = { IdCard: '11010519491231002X', Name: '张三' };
  const check = (action: ActionName, body: unknown) => checkParameters(action, body);

  it('accepts a complete body and keeps only its fields, null ones left out', () => {
    expect(check('IdCardVerification', ID)).toEqual({ ok: true, request: ID });
    expect(check('BankCardVerification', { ...ID, BankCard: '6222020000000000000', CertType: 0, Encryption: null })).toEqual({
      ok: true,
      request: { ...ID, BankCard: '6222020000000000000', CertType: 0 },
    });
    // An empty string is a String: the core answers it as an invalid factor, a Result.
    expect(check('IdCardVerification', { IdCard: '', Name: '' })).toMatchObject({ ok: true });
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [null, [], [ID], 'IdCard', 42, true, undefined]) expect(check('IdCardVerification', body)).toEqual({ ok: false, error: 'body_invalid' });
  });

  it('names the first missing field in the action\'s order (null is not sent)', () => {
    expect(check('IdCardVerification', {})).toEqual({ ok: false, error: 'parameter_missing', parameter: 'IdCard' });
    expect(check('IdCardVerification', { IdCard: null, Name: '张三' })).toEqual({ ok: false, error: 'parameter_missing', parameter: 'IdCard' });
    expect(check('BankCard4EVerification', { IdCard: ID.IdCard })).toEqual({ ok: false, error: 'parameter_missing', parameter: 'Name' });
    expect(check('BankCard4EVerification', { Name: '张三', BankCard: '6222020000000000000', IdCard: ID.IdCard })).toEqual({ ok: false, error: 'parameter_missing', parameter: 'Phone' });
    expect(check('IdCardVerification', { ...ID, Encryption: { EncryptList: ['Name'], CiphertextBlob: 'x' } })).toEqual({
      ok: false,
      error: 'parameter_missing',
      parameter: 'Encryption.Iv',
    });
  });

  it('then the first field of the wrong type, nested ones and array items by their path', () => {
    expect(check('IdCardVerification', { IdCard: 110105194912310020, Name: '张三' })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'IdCard' });
    expect(check('IdCardVerification', { IdCard: [ID.IdCard], Name: { first: '三' } })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'IdCard' });
    expect(check('BankCardVerification', { ...ID, BankCard: '6222020000000000000', CertType: '0' })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'CertType' });
    expect(check('BankCardVerification', { ...ID, BankCard: '6222020000000000000', CertType: 0.5 })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'CertType' });
    expect(check('IdCardVerification', { ...ID, Encryption: 'yes' })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'Encryption' });
    expect(check('IdCardVerification', { ...ID, Encryption: { EncryptList: ['Name', 7], CiphertextBlob: 'x', Iv: 'y' } })).toEqual({
      ok: false,
      error: 'parameter_invalid',
      parameter: 'Encryption.EncryptList.1',
    });
    expect(check('PhoneVerification', { ...ID, Phone: '13800138000', EncryptList: 'Phone' })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'EncryptList' });
    // Missing comes first, whatever the order of the fields.
    expect(check('IdCardVerification', { IdCard: 1 })).toEqual({ ok: false, error: 'parameter_missing', parameter: 'Name' });
  });

  it('then a field the action does not define, in the body\'s order (names are case-sensitive)', () => {
    expect(check('IdCardVerification', { ...ID, Region: 'ap-guangzhou' })).toEqual({ ok: false, error: 'parameter_unknown', parameter: 'Region' });
    expect(check('IdCardVerification', { ...ID, idcard: ID.IdCard })).toEqual({ ok: false, error: 'parameter_unknown', parameter: 'idcard' });
    expect(check('BankCard2EVerification', { ...ID, BankCard: '6222020000000000000' })).toEqual({ ok: false, error: 'parameter_unknown', parameter: 'IdCard' });
    expect(check('IdCardVerification', JSON.parse(`{"IdCard":"${ID.IdCard}","Name":"张三","__proto__":{"x":1}}`))).toEqual({
      ok: false,
      error: 'parameter_unknown',
      parameter: '__proto__',
    });
    expect(check('IdCardVerification', { ...ID, Encryption: { EncryptList: [], CiphertextBlob: 'x', Iv: 'y', Key: 'k' } })).toEqual({
      ok: false,
      error: 'parameter_unknown',
      parameter: 'Encryption.Key',
    });
  });

  it('then a value outside the vendor\'s enumeration', () => {
    const phone = { ...ID, Phone: '13800138000' };
    expect(check('PhoneVerification', { ...phone, VerifyMode: '1' })).toMatchObject({ ok: true });
    expect(check('PhoneVerification', { ...phone, VerifyMode: '2' })).toEqual({ ok: false, error: 'parameter_value_invalid', parameter: 'VerifyMode' });
    expect(check('PhoneVerification', { ...phone, VerifyMode: 1 })).toEqual({ ok: false, error: 'parameter_invalid', parameter: 'VerifyMode' });
    expect(check('IdCardVerification', { ...ID, Encryption: { EncryptList: [], CiphertextBlob: 'x', Iv: 'y', Algorithm: 'DES' } })).toEqual({
      ok: false,
      error: 'parameter_value_invalid',
      parameter: 'Encryption.Algorithm',
    });
  });

  it('reads the factors by the domain\'s names, and which field asks for encryption', () => {
    const four = { Name: '张三', BankCard: '6222020000000000000', Phone: '13800138000', IdCard: ID.IdCard };
    const checked = check('BankCard4EVerification', four);
    expect(checked.ok && factorsOf('BankCard4EVerification', checked.request)).toEqual({ name: '张三', bankCard: four.BankCard, phone: four.Phone, idNumber: four.IdCard });
    expect(checked.ok && encryptionParameter('BankCard4EVerification', checked.request)).toBeUndefined();
    const encrypted = check('IdCardVerification', { ...ID, Encryption: { EncryptList: ['Name'], CiphertextBlob: 'x', Iv: 'y' } });
    expect(encrypted.ok && encryptionParameter('IdCardVerification', encrypted.request)).toBe('Encryption');
    const phone = check('PhoneVerification', { ...ID, Phone: '13800138000', Iv: '0123456789abcdef' });
    expect(phone.ok && encryptionParameter('PhoneVerification', phone.request)).toBe('Iv');
  });
});
