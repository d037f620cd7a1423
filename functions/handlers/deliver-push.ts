/** deliver-push (SQS: the push queue of `customer-notices`): customer notices through SNS mobile push (shared/deliver.ts). */
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent } from 'aws-lambda';
import { PushSender } from '../adapters/delivery/push.ts';
import { buildDeliverHandler, deliverSettingsFromEnvironment } from './shared/deliver.ts';
import { fromEnvironment } from './shared/dependencies.ts';
import { tracer } from './shared/powertools.ts';

const build = () => buildDeliverHandler(fromEnvironment(), new PushSender(tracer.captureAWSv3Client(new SNSClient({}))), deliverSettingsFromEnvironment());

let lazy: ReturnType<typeof build> | undefined;
export const handler = (event: SQSEvent, context: Context) => (lazy ??= build())(event, context);
