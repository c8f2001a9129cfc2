import { describe, expect, it } from 'vitest';
import { ERRORS, errorFor, errorMeaningOf, type SentErrorMeaning } from '../../../src/protocols/tencentcloud/index.ts';

describe('the error codes', () => {
  it('sends the code the issue pins for every refusal', () => {
    const pinned: Partial<Record<SentErrorMeaning, string>> = {
      signature_invalid: 'AuthFailure.SignatureFailure',
      signature_expired: 'AuthFailure.SignatureExpire',
      secret_unknown: 'AuthFailure.SecretIdNotFound',
      authorization_missing: 'AuthFailure.InvalidAuthorization',
      authorization_malformed: 'AuthFailure.InvalidAuthorization',
      action_unknown: 'InvalidAction',
      version_unknown: 'NoSuchVersion',
      parameter_missing: 'MissingParameter',
      parameter_invalid: 'InvalidParameter',
      body_invalid: 'InvalidParameter',
      parameter_unknown: 'UnknownParameter',
      body_too_large: 'RequestSizeLimitExceeded',
      rate_limited: 'RequestLimitExceeded',
      quota_exhausted: 'LimitExceeded',
      suspended: 'UnauthorizedOperation.Arrears',
      not_permitted: 'UnauthorizedOperation.Nonactivated',
      ip_denied: 'IpNotInWhitelist',
      encryption_unsupported: 'UnsupportedOperation',
      internal: 'InternalError',
    };
    for (const [meaning, code] of Object.entries(pinned)) expect(errorFor(meaning as SentErrorMeaning).Code, meaning).toBe(code);
    expect(errorFor('quota_exhausted')).toEqual({ Code: 'LimitExceeded', Message: '您购买的资源已用完' });
    expect(errorFor('signature_invalid').Message).toBe('The provided credentials could not be validated. Please check your signature is correct.');
  });

  it('names the field in the message, and reads on without one', () => {
    expect(errorFor('parameter_missing', 'IdCard')).toEqual({ Code: 'MissingParameter', Message: 'The request is missing the required parameter IdCard.' });
    expect(errorFor('parameter_unknown', 'Encryption.Key').Message).toContain('Encryption.Key');
    expect(errorFor('encryption_unsupported', 'Encryption').Message).toContain('Encryption');
    for (const meaning of Object.keys(ERRORS) as SentErrorMeaning[]) {
      const { Message } = errorFor(meaning);
      expect(Message, meaning).not.toMatch(/[{}]/);
      expect(Message.length, meaning).toBeGreaterThan(5);
    }
  });

  it('reads every code it sends back as a meaning that sends that code', () => {
    for (const { code } of Object.values(ERRORS)) {
      // The vendor's UnsupportedOperation is any 操作不支持; ours is only for encryption.
      if (code === 'UnsupportedOperation') continue;
      expect(ERRORS[errorMeaningOf(code) as SentErrorMeaning]?.code, code).toBe(code);
    }
    // Where several refusals share a code, the general one is what a received code means.
    expect(errorMeaningOf('MissingParameter')).toBe('parameter_missing');
    expect(errorMeaningOf('InvalidParameter')).toBe('parameter_invalid');
    expect(errorMeaningOf('AuthFailure.InvalidAuthorization')).toBe('authorization_malformed');
  });

  it('reads the vendor\'s own codes, and unknown ones by their family', () => {
    expect(errorMeaningOf('UnsupportedOperation')).toBe('unsupported');
    expect(errorMeaningOf('UnauthorizedOperation.NonAuthorize')).toBe('unauthorized');
    expect(errorMeaningOf('FailedOperation.DecryptSystemError')).toBe('decrypt_failed');
    expect(errorMeaningOf('FailedOperation.RequestLimitExceeded')).toBe('rate_limited');
    expect(errorMeaningOf('FailedOperation.SomethingNew')).toBe('failed');
    expect(errorMeaningOf('RequestLimitExceeded.UinLimitExceeded')).toBe('rate_limited');
    expect(errorMeaningOf('InternalError.UnKnown')).toBe('internal');
    expect(errorMeaningOf('AuthFailure.TokenFailure')).toBe('credentials_rejected');
    expect(errorMeaningOf('ResourcesSoldOut')).toBe('unknown');
    expect(errorMeaningOf('')).toBe('unknown');
  });
});
