/** Shared TypeBox schemas for request and response bodies. */
import { Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code, e.g. TOKEN_EXPIRED' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'Error' },
);

export const Text2 = Type.Object({ zh: Type.String(), en: Type.String() });

export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

/**
 * A JSON answer whose shape is the service's own type (documented by `description`): serialized
 * as is, without a schema that would drop fields the service adds.
 */
export const json = (description: string) => Type.Unknown({ description });

/** `{ ok: true }` of commands that answer nothing else. */
export const Ok = Type.Object({ ok: Type.Boolean() });

/** A binary body (images) in the OpenAPI document. */
export const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' });

export const CodeResponseSchema = Type.Object({
  token: Type.String({ description: 'JKM1 token: "JKM1:" + Base45(COSE_Sign1)' }),
  colour3: Type.Integer({ minimum: 0, maximum: 2 }),
  colour5: Type.Integer({ minimum: 0, maximum: 4 }),
  kind: Type.String(),
  issuedAt: Type.String(),
  expiresAt: Type.String(),
  refreshAfter: Type.String(),
  display: Type.Object({
    maskedName: Type.String(),
    colour: Type.Object({ zh: Type.String(), en: Type.String(), name: Type.String() }),
    reasons: Type.Array(
      Type.Object({
        rule: Type.String(),
        label: Text2,
        release: Text2,
        since: Type.String(),
        until: Type.Union([Type.String(), Type.Null()]),
        lists: Type.Optional(
          Type.Array(Type.String(), { description: '重点人群名单 key-population lists behind this reason' }),
        ),
      }),
    ),
    vaccineDoses: Type.Integer(),
    lastNegativeTest: Type.Union([Type.String(), Type.Null()]),
    nextReviewAt: Type.Union([Type.String(), Type.Null()]),
  }),
});

export const VerifyResponseSchema = Type.Object({
  valid: Type.Boolean(),
  /** valid and green (the colour answered): what a gate lets through */
  pass: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  colour3: Type.Optional(Type.Integer()),
  colour5: Type.Optional(Type.Integer()),
  /** current: the holder's colour now (this issuer's long-lived codes); code: the code's own */
  colourSource: Type.Optional(Type.Union([Type.Literal('current'), Type.Literal('code')])),
  codeColour3: Type.Optional(Type.Integer()),
  codeColour5: Type.Optional(Type.Integer()),
  codeColourAsOf: Type.Optional(Type.String()),
  codeColourAgeSeconds: Type.Optional(Type.Integer()),
  maxColourAgeSeconds: Type.Optional(Type.Integer()),
  kind: Type.Optional(Type.String()),
  issuer: Type.Optional(Type.String()),
  maskedName: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String()),
});

export const TrustListSchema = Type.Object({
  issuer: Type.String(),
  keys: Type.Array(
    Type.Object({
      kid: Type.String(),
      alg: Type.Integer(),
      jwk: Type.Unsafe<JsonWebKey>(Type.Record(Type.String(), Type.String())),
      notBefore: Type.String(),
      notAfter: Type.String(),
    }),
  ),
  revokedKids: Type.Array(Type.String()),
  /** base64url of the first 16 bytes of SHA-256(cti) of single revoked, unexpired codes */
  revokedCodes: Type.Optional(Type.Array(Type.String())),
  /** the oldest colour a code other than a screen code may vouch for offline, seconds */
  maxColourAgeSeconds: Type.Optional(Type.Integer()),
  issuedAt: Type.String(),
});
