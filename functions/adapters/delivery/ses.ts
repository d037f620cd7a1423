/**
 * E-mail through Amazon SES (API v2 SendEmail, Simple content): subject, plain-text and HTML parts,
 * the configuration set whose event destination sends receipts to EventBridge, and the noticeId in the
 * message tags (domain/delivery/receipts.ts: noticeTags), which SES copies into every event.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { noticeTags } from '../../domain/delivery/receipts.ts';
import type { CustomerNoticeBody } from '../../domain/notices/messages.ts';
import type { ChannelSender } from './sender.ts';

export interface EmailSettings {
  /** The verified sender (`impact:emailFrom`). */
  from: string;
  /** The configuration set of the stack (receipts). */
  configurationSet: string;
}

const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });

export class EmailSender implements ChannelSender {
  readonly channel = 'email' as const;
  private readonly client: SESv2Client;
  private readonly settings: EmailSettings;

  constructor(client: SESv2Client, settings: EmailSettings) {
    this.client = client;
    this.settings = settings;
  }

  async send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }> {
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.settings.from,
        Destination: { ToAddresses: [notice.to] },
        Content: { Simple: { Subject: utf8(notice.title), Body: { Text: utf8(notice.text), ...(notice.html ? { Html: utf8(notice.html) } : {}) } } },
        ConfigurationSetName: this.settings.configurationSet,
        EmailTags: noticeTags(notice.noticeId),
      }),
    );
    return { providerMessageId: out.MessageId ?? '' };
  }
}
