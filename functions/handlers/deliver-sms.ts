/** deliver-sms (SQS: the SMS queue of `customer-notices`): customer notices through AWS End User Messaging SMS (shared/deliver.ts). */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { Context, SQSEvent } from 'aws-lambda';
import { SmsSender } from '../adapters/delivery/sms.ts';
import { buildDeliverHandler, deliverSettingsFromEnvironment } from './shared/deliver.ts';
import { fromEnvironment, requiredEnv } from './shared/dependencies.ts';
import { ENV } from './shared/environment.ts';
import { tracer } from './shared/powertools.ts';

const build = () =>
  buildDeliverHandler(
    fromEnvironment(),
    new SmsSender(tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({})), {
      originationIdentity: requiredEnv(ENV.smsOriginationIdentity),
      configurationSet: requiredEnv(ENV.smsConfigurationSet),
    }),
    deliverSettingsFromEnvironment(),
  );

let lazy: ReturnType<typeof build> | undefined;
export const handler = (event: SQSEvent, context: Context) => (lazy ??= build())(event, context);
