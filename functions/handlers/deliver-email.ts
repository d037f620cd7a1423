/** deliver-email (SQS: the e-mail queue of `customer-notices`): customer notices through Amazon SES (shared/deliver.ts). */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Context, SQSEvent } from 'aws-lambda';
import { EmailSender } from '../adapters/delivery/ses.ts';
import { buildDeliverHandler, deliverSettingsFromEnvironment } from './shared/deliver.ts';
import { fromEnvironment, requiredEnv } from './shared/dependencies.ts';
import { ENV } from './shared/environment.ts';
import { tracer } from './shared/powertools.ts';

const build = () =>
  buildDeliverHandler(
    fromEnvironment(),
    new EmailSender(tracer.captureAWSv3Client(new SESv2Client({})), {
      from: requiredEnv(ENV.emailFrom),
      configurationSet: requiredEnv(ENV.emailConfigurationSet),
    }),
    deliverSettingsFromEnvironment(),
  );

let lazy: ReturnType<typeof build> | undefined;
export const handler = (event: SQSEvent, context: Context) => (lazy ??= build())(event, context);
