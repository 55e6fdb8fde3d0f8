/**
 * Outgoing text messages (one-time codes). Services hand a message to the `SmsSender` (the
 * outbox: stored encrypted until delivered or expired); the `SmsGateway` delivers it.
 */
export interface SmsSender {
  /** Queues a message for one phone; it is dropped, delivered or not, at `expiresAt` (epoch ms). */
  send(phone: string, text: string, expiresAt: number): Promise<void>;
}

/** A message as the gateway needs it: nothing else. */
export interface SmsMessage {
  phone: string;
  text: string;
}

export interface SmsGateway {
  /** Hands one message to the operator's SMS service; throws when it was not accepted. */
  deliver(message: SmsMessage): Promise<void>;
}

/** One queued message, sealed: phone and text are ciphertext (Secrets.encrypt). */
export interface SealedSms {
  id: number;
  phoneEnc: Uint8Array;
  textEnc: Uint8Array;
  expiresAt: Date;
  attempts: number;
}

export interface SmsOutboxStore {
  /** Stores a sealed message, first due at `nextAttemptAt`; returns its id. */
  add(m: {
    phoneEnc: Uint8Array;
    textEnc: Uint8Array;
    expiresAt: Date;
    nextAttemptAt: Date;
  }): Promise<number>;
  /**
   * Claims up to `limit` unexpired messages due at `now` (so another relay skips them) until
   * `retryAt`, counting the attempt.
   */
  claimDue(now: Date, retryAt: Date, limit: number): Promise<SealedSms[]>;
  /** Forgets a delivered message. */
  remove(id: number): Promise<void>;
  /** Deletes every message whose code has expired; returns how many. */
  removeExpired(now: Date): Promise<number>;
  /** Messages waiting (metrics, tests). */
  count(): Promise<number>;
}
