/**
 * One-time codes at rest (otp_codes): per phone (keyed hash) the HMAC of the current code, its
 * expiry and tries, and the send counters the per-phone limits read. Implemented by
 * adapters/repositories/auth/otp.repository.ts.
 */
export interface OtpSendWindow {
  /** when the last code was sent (epoch ms) */
  sentAt: number;
  /** start of the hour the per-phone count runs in (epoch ms) */
  windowStart: number;
  windowCount: number;
}

export interface NewOtp extends OtpSendWindow {
  codeHash: Uint8Array;
  expiresAt: number;
}

export interface OtpStore {
  /** The phone's send counters, or undefined when it never got a code. */
  sendWindow(phoneHash: Uint8Array): Promise<OtpSendWindow | undefined>;
  /** Stores the phone's new code, replacing the previous one (tries start again at 0). */
  save(phoneHash: Uint8Array, otp: NewOtp): Promise<void>;
  /** Counts one try of the phone's code; its hash, expiry and the tries so far (this one included). */
  attempt(
    phoneHash: Uint8Array,
  ): Promise<{ codeHash: Uint8Array; expiresAt: number; attempts: number } | undefined>;
  /** Voids the phone's code (used, or guessed too often); the send counters stay. */
  invalidate(phoneHash: Uint8Array): Promise<void>;
}
