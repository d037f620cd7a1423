/**
 * A channel's sender: hands one customer notice to its provider and says what the provider called it.
 * Errors are the SDK's own (the handler classifies them: domain/delivery/sending.ts). One implementation
 * per provider (ses.ts, sms.ts, push.ts); the local runtime subclasses them with stand-ins that behave
 * like the services (lib/local/deliverers.ts).
 */
import type { NotifyChannel } from '../../domain/model.ts';
import type { CustomerNoticeBody } from '../../domain/notices/messages.ts';

export interface ChannelSender {
  readonly channel: NotifyChannel;
  send(notice: CustomerNoticeBody): Promise<{ providerMessageId: string }>;
}
