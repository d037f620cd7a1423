/**
 * Intake from the tools: one Secrets Manager secret per tool that posts to `POST /intake/{source}`
 * (generated, so the route refuses everything until the operator puts the tool's secret there:
 * README, "Intake from your tools"), readable by the api function only; and the intake configuration
 * (`impact:intake`, checked at synth) for the functions that map the tools' payloads.
 */
import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { HTTP_INTAKE_SOURCES, type HttpIntakeSource } from '../../functions/domain/intake/credentials.ts';

export interface IntakeSecretsProps {
  /** Encrypts the secrets. */
  readonly key: IKey;
}

const outputId = (source: string) => `IntakeSecret${source[0].toUpperCase()}${source.slice(1)}`;

export class IntakeSecrets extends Construct {
  readonly secrets: Record<HttpIntakeSource, Secret>;

  constructor(scope: Construct, id: string, props: IntakeSecretsProps) {
    super(scope, id);
    this.secrets = Object.fromEntries(
      HTTP_INTAKE_SOURCES.map((source) => {
        const secret = new Secret(this, source, {
          description: `impact intake: the shared secret ${source} signs or authenticates its webhooks with (plain text, or { "secrets": [...], "username"?, "header"? })`,
          encryptionKey: props.key,
          // Letters and digits only: it may go into a header, a basic-auth password or a YAML file as it is.
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: `The value is the secret configured in ${source} as well; it is rotated by hand in both places, with both values in the secret during the change-over.`,
        });
        new CfnOutput(Stack.of(this), outputId(source), {
          value: secret.secretArn,
          description: `aws secretsmanager put-secret-value --secret-id <this> --secret-string <the ${source} secret>`,
        });
        return [source, secret];
      }),
    ) as Record<HttpIntakeSource, Secret>;
  }

  /** The secrets' ARNs by source, as the api function reads them (INTAKE_SECRETS). */
  get arns(): string {
    return Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.secrets).map(([source, secret]) => [source, secret.secretArn])));
  }

  grantRead(grantee: IGrantable): void {
    for (const secret of Object.values(this.secrets)) secret.grantRead(grantee);
  }
}
