#!/usr/bin/env node
/** The CDK app (cdk.json). `npx cdk synth` works offline without credentials; `npx cdk deploy` deploys. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ImpactPipelineStack, configFromContext } from '../lib/stack.ts';

const app = new App();
new ImpactPipelineStack(app, 'ImpactPipeline', {
  config: configFromContext((key) => app.node.tryGetContext(key)),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Event-sourced pipeline from IT changes and incidents to customer impact',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
