/**
 * SMS through AWS End User Messaging SMS (SendTextMessage): the origination identity and configuration
 * set of the stack, TRANSACTIONAL (notices are time-sensitive), the noticeId in `Context`, which the
 * service copies into every event of the configuration set's destinations.
 */
import { SendTextMessageCommand, type PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SMS_CONTEXT_KEY } from '../../domain/delivery/receipts.ts';
import type { CustomerNoticeBody } from '../../domain/notices/messages.ts';
import type { ChannelSender } from './sender.ts';

export interface SmsSettings {
  /** Phone number, pool or sender ID (ARN or id) the texts go out from (`impact:smsOriginationIdentity`). */
  originationIdentity: string;
  configurationSet: string;
}

export class SmsSender implements ChannelSender {
  readonly channel = 'sms' as const;
  private readonly client: PinpointSMSVoiceV2Client;
  private readonly settings: SmsSettings;

  constructor(client: PinpointSMSVoiceV2Client, settings: SmsSettings) {
    this.client = client;
    this.settings = settings;
  }

  async send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }> {
    const out = await this.client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: notice.to,
        OriginationIdentity: this.settings.originationIdentity,
        MessageBody: notice.text,
        MessageType: 'TRANSACTIONAL',
        ConfigurationSetName: this.settings.configurationSet,
        Context: { [SMS_CONTEXT_KEY]: notice.noticeId },
      }),
    );
    return { providerMessageId: out.MessageId ?? '' };
  }
}
