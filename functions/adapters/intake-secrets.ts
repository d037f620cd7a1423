/**
 * Intake credentials from Secrets Manager: one secret per source (ARNs from the stack), read with
 * Powertools' SecretsProvider and cached in the function for `maxAgeSeconds` (default 60). So a burst of
 * webhooks costs one GetSecretValue per source and minute per function instance, and a value put with
 * `aws secretsmanager put-secret-value` is used within a minute. During a rotation, put both secrets
 * (`{ "secrets": ["new", "old"] }`) so that no request is refused in that minute.
 * A secret whose value is not a usable credential is an IntakeSecretError (the request fails with a 500
 * and the log names the source and the problem, never the value).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { credentialFromSecretString, intakeSchemes, type AuthScheme, type HttpIntakeSource } from '../domain/intake/index.ts';

export class IntakeSecretError extends Error {
  readonly source: HttpIntakeSource;

  constructor(source: HttpIntakeSource, problem: string, options?: ErrorOptions) {
    super(
      `the ${source} intake secret is not usable: ${problem}; put the tool's secret as plain text, or { "secrets": [...], "username"?, "header"? } (README, "Intake from your tools")`,
      options,
    );
    this.name = 'IntakeSecretError';
    this.source = source;
  }
}

export const DEFAULT_SECRET_MAX_AGE_SECONDS = 60;

export class SecretsManagerCredentials {
  private readonly provider: SecretsProvider;
  private readonly secretIds: Partial<Record<HttpIntakeSource, string>>;
  private readonly maxAgeSeconds: number;

  constructor(client: SecretsManagerClient, secretIds: Partial<Record<HttpIntakeSource, string>>, maxAgeSeconds = DEFAULT_SECRET_MAX_AGE_SECONDS) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
    this.secretIds = secretIds;
    this.maxAgeSeconds = maxAgeSeconds;
  }

  /** The schemes of a source's secret; none when the stack gave the function no secret for it. */
  async schemesFor(source: HttpIntakeSource): Promise<readonly AuthScheme[]> {
    const secretId = this.secretIds[source];
    if (!secretId) return [];
    const value = await this.provider.get(secretId, { maxAge: this.maxAgeSeconds });
    if (typeof value !== 'string') throw new IntakeSecretError(source, 'it holds binary data, not text');
    const check = credentialFromSecretString(source, value, `the ${source} secret`);
    if (!check.ok) throw new IntakeSecretError(source, check.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    return intakeSchemes(source, check.credential);
  }
}
