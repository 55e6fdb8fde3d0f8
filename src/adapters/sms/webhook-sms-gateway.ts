/**
 * An SMS gateway reached over HTTP (HC_SMS_WEBHOOK_URL): each message is POSTed as JSON
 * `{phone, text}`, with `Authorization: Bearer HC_SMS_WEBHOOK_TOKEN` when set. Any 2xx answer
 * means accepted. Operators put their SMS provider's adapter behind it; test harnesses (the city
 * simulation) read residents' one-time codes from it.
 */
import type { SmsGateway, SmsMessage } from '../../ports/sms.port.ts';

export class WebhookSmsGateway implements SmsGateway {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 5000,
  ) {}

  async deliver(m: SmsMessage): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ phone: m.phone, text: m.text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    // The status only: the gateway's answer may echo the message.
    if (!res.ok) throw new Error(`SMS gateway answered HTTP ${res.status}`);
  }
}
