/**
 * Identifiers whose values never leave the process, compared after normalising (lowercase, no `_ - . $` or
 * spaces): `user_password`, `X-Api-Key` and `apiKey` all hit. `contains` words match anywhere in a name
 * (`dbPassword`, `authTokenHash`); `exact` words are too short or common for that (`pin` is in `spinner`).
 * Erring on the side of redaction is deliberate: a redacted value is marked, so a person can see it was there.
 */
export const DENYLIST_CONTAINS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'authorization',
  'cookie',
  'credential',
  'creditcard',
  'cardnumber',
  'ccnumber',
  'cardverification',
  'securitycode',
  'socialsecurity',
  'bearer',
  'signature',
];

export const DENYLIST_EXACT: readonly string[] = ['pwd', 'pass', 'auth', 'ssn', 'cvv', 'cvc', 'cvv2', 'pin', 'pan', 'iban', 'jwt', 'sid', 'sessionid', 'otp', 'mfa', 'xapikey', 'card'];

/** `X-Api_Key` → `xapikey`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.$]/g, '');
}
