/**
 * Push through SNS mobile push: `Publish` to the customer's platform endpoint (their push contact is
 * the endpoint ARN), one payload per platform (MessageStructure json). The title and body are the
 * notice's push form (at most 65 and 178 characters: what a lock screen shows); the noticeId rides in
 * the data so an app can drop a repeat.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { CustomerNoticeBody } from '../../domain/notices/messages.ts';
import type { ChannelSender } from './sender.ts';

/** The per-platform payloads SNS hands to APNs and FCM (and `default` for the others). */
export const pushPayload = (notice: Pick<CustomerNoticeBody, 'noticeId' | 'title' | 'text'>): Record<string, string> => {
  const apns = JSON.stringify({ aps: { alert: { title: notice.title, body: notice.text }, sound: 'default' }, noticeId: notice.noticeId });
  return {
    default: notice.text,
    APNS: apns,
    APNS_SANDBOX: apns,
    GCM: JSON.stringify({ notification: { title: notice.title, body: notice.text }, data: { noticeId: notice.noticeId } }),
  };
};

export class PushSender implements ChannelSender {
  readonly channel = 'push' as const;
  private readonly client: SNSClient;

  constructor(client: SNSClient) {
    this.client = client;
  }

  async send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }> {
    const out = await this.client.send(new PublishCommand({ TargetArn: notice.to, MessageStructure: 'json', Message: JSON.stringify(pushPayload(notice)) }));
    return { providerMessageId: out.MessageId ?? '' };
  }
}
