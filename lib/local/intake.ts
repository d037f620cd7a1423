/**
 * Intake on the local runtime: `POST /api/intake/<source>` with the configuration and secrets of
 * impact.local.json's `intake` key:
 *   "intake": {
 *     "secrets": { "pagerduty": "pd-secret", "servicenow": { "secrets": ["pw"], "username": "sn" } },
 *     "pagerduty": { "severity": { "P1": "sev1", "default": "sev3" } }
 *   }
 * A source without a secret takes unsigned requests (a development machine, listening on 127.0.0.1), and
 * the start banner says so, one line per source.
 */
import type { IntakeCredentials } from '../../functions/handlers/api/endpoint.ts';
import {
  HTTP_INTAKE_SOURCES,
  checkIntakeConfig,
  checkIntakeCredential,
  describeSchemes,
  intakeSchemes,
  type AuthScheme,
  type HttpIntakeSource,
  type IntakeConfig,
  type IntakeCredential,
} from '../../functions/domain/intake/index.ts';

export interface LocalIntake {
  config: IntakeConfig;
  secrets: Partial<Record<HttpIntakeSource, IntakeCredential>>;
}

/** impact.local.json's `intake` checked: the configuration as the stack's `impact:intake`, plus `secrets` per source. */
export const readLocalIntake = (raw: unknown): { ok: true; intake: LocalIntake } | { ok: false; problems: string[] } => {
  if (raw !== undefined && (!raw || typeof raw !== 'object' || Array.isArray(raw))) {
    return { ok: false, problems: [`intake must be an object with the sources' configuration and their secrets (got ${JSON.stringify(raw)})`] };
  }
  const { secrets = {}, ...rest } = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const config = checkIntakeConfig(rest);
  if (!config.ok) problems.push(...config.problems.map((p) => `${p.path}: ${p.message}`));
  const credentials: LocalIntake['secrets'] = {};
  if (!secrets || typeof secrets !== 'object' || Array.isArray(secrets)) {
    problems.push(`intake.secrets must map sources (${HTTP_INTAKE_SOURCES.join(', ')}) to their secrets`);
  } else {
    for (const [source, value] of Object.entries(secrets)) {
      if (!(HTTP_INTAKE_SOURCES as string[]).includes(source)) {
        problems.push(`intake.secrets.${source}: no such intake source; use ${HTTP_INTAKE_SOURCES.join(', ')}`);
        continue;
      }
      const check = checkIntakeCredential(source as HttpIntakeSource, value);
      if (check.ok) credentials[source as HttpIntakeSource] = check.credential;
      else problems.push(...check.problems.map((p) => `${p.path}: ${p.message}`));
    }
  }
  return problems.length > 0 || !config.ok ? { ok: false, problems } : { ok: true, intake: { config: config.config, secrets: credentials } };
};

/** The secrets of impact.local.json; a source without one takes unsigned requests. */
export class LocalCredentials implements IntakeCredentials {
  private readonly secrets: LocalIntake['secrets'];

  constructor(secrets: LocalIntake['secrets']) {
    this.secrets = secrets;
  }

  async schemesFor(source: HttpIntakeSource): Promise<readonly AuthScheme[] | 'unsigned'> {
    const credential = this.secrets[source];
    return credential === undefined ? 'unsigned' : intakeSchemes(source, credential);
  }
}

/** One line per source for the start banner: where to post, and whether it must be signed. */
export const intakeBanner = (apiUrl: string, secrets: LocalIntake['secrets']): string[] =>
  HTTP_INTAKE_SOURCES.map((source) => {
    const credential = secrets[source];
    const how =
      credential === undefined ? `unsigned: no intake.secrets.${source} in impact.local.json` : `signed: ${describeSchemes(intakeSchemes(source, credential))}`;
    return `  intake:   ${apiUrl}/api/intake/${source}   (${how})`;
  });
