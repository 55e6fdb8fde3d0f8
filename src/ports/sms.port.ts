/** Outgoing text messages (one-time codes). */
export interface SmsSender {
  /** Queues a message for one phone number. */
  send(phone: string, body: string): Promise<void>;
}
