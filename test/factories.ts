/** Factories with overrides: each test makes its own residents. */
import { makeResidentId } from '../src/domain/document-number.ts';
import type { PersonInput } from '../src/services/resident.service.ts';
import type { AppContext } from '../src/roles/context.ts';
import type { MemorySmsGateway } from '../src/adapters/sms/memory-sms-gateway.ts';

let seq = 0;

/** A valid resident record; every call gives a new document number and phone. */
export function personInput(o: Partial<PersonInput> = {}): PersonInput {
  seq++;
  const n = seq + Math.floor(Math.random() * 1e6) * 100;
  return {
    docType: 10,
    docNumber: makeResidentId(
      '520102',
      `19${String(50 + (n % 50)).padStart(2, '0')}0${1 + (n % 9)}1${n % 10}`,
      n % 1000,
      n % 2 === 0,
    ),
    name: '张小三',
    phone: String(13700000000 + (n % 99_999_999)),
    regionCode: '520102',
    ...o,
  };
}

/** Registers a resident and returns its id and phone. */
export async function createResident(
  ctx: AppContext,
  o: Partial<PersonInput> = {},
): Promise<{ id: number; phone: string; input: PersonInput }> {
  const input = personInput(o);
  const r = await ctx.residents.register(input);
  if (!r.ok) throw new Error(`factory resident invalid: ${r.code} ${r.message}`);
  return { id: r.id, phone: input.phone as string, input };
}

/** Signs a resident in through the service (no HTTP) and returns a bearer token. */
export async function residentToken(
  ctx: Pick<AppContext, 'auth'> & { smsInbox: MemorySmsGateway },
  phone: string,
): Promise<string> {
  // Demo mode is off in tests: read the code the SMS gateway delivered to the phone.
  await ctx.auth.requestOtp(phone);
  const code = ctx.smsInbox.lastCode(phone);
  if (!code) throw new Error('no one-time code delivered');
  return (await ctx.auth.login(phone, code)).accessToken;
}
