/**
 * The support API: an HTTP API with one route per entry of the route table
 * (functions/handlers/api/routes.ts), each behind a Cognito JWT authorizer except the tools' intake route,
 * which the function authenticates by the tool's signature, in front of the api function.
 * The user pool has one group per role of the table; the function checks a caller's groups against the
 * route's roles (HTTP API authorizers check scopes, and the console's ID tokens carry groups, not scopes).
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpNoneAuthorizer, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { FeaturePlan, Mfa, OAuthScope, StandardThreatProtectionMode, UserPool, type UserPoolClient, type UserPoolGroup } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROLES, ROLE_DESCRIPTIONS, type Role } from '../../functions/handlers/api/access.ts';
import { API_ROUTES } from '../../functions/handlers/api/routes.ts';

/** Requests per second across the API, and the burst above it: a support desk, not a public API. */
export const API_THROTTLE = { rateLimit: 25, burstLimit: 50 } as const;

export interface SupportApiProps {
  /** The api function every route is integrated with. */
  readonly fn: IFunction;
  /** Encrypts the access log group. */
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** The console's URL: where the hosted sign-in may send users back to, and the one origin CORS allows. */
  readonly consoleUrl?: string;
}

export class SupportApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** One Cognito group per role of the route table. */
  readonly groups: Record<Role, UserPoolGroup>;

  constructor(scope: Construct, id: string, props: SupportApiProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.groups = Object.fromEntries(
      ROLES.map((role, precedence) => [
        role,
        this.userPool.addGroup(`Group-${role}`, { groupName: role, description: ROLE_DESCRIPTIONS[role], precedence: ROLES.length - precedence }),
      ]),
    ) as Record<Role, UserPoolGroup>;
    const callbackUrls = props.consoleUrl ? [props.consoleUrl] : ['http://localhost:3000/'];
    this.client = this.userPool.addClient('Console', {
      authFlows: { userSrp: true },
      oAuth: { flows: { implicitCodeGrant: true }, scopes: [OAuthScope.OPENID], callbackUrls },
    });
    const authorizer = new HttpJwtAuthorizer('Jwt', `https://cognito-idp.${this.userPool.stack.region}.amazonaws.com/${this.userPool.userPoolId}`, {
      jwtAudience: [this.client.userPoolClientId],
    });
    this.api = new HttpApi(this, 'Api', {
      description: 'first-line support: subjects, customer lookup, what-if',
      createDefaultStage: false,
      // The console is served from another origin (CloudFront): only it may call, and only with a JSON body.
      ...(props.consoleUrl
        ? {
            corsPreflight: {
              allowOrigins: [props.consoleUrl.replace(/\/$/, '')],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
              allowHeaders: ['authorization', 'content-type'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const integration = new HttpLambdaIntegration('Api', props.fn);
    for (const route of API_ROUTES) {
      const signedByTool = route.auth === 'intake-signature';
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: signedByTool ? new HttpNoneAuthorizer() : authorizer,
      });
      if (signedByTool) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            "The tools (ServiceNow, Jira, PagerDuty, Alertmanager) cannot sign in to Cognito: the api function checks each request against the source's secret over the raw body and refuses (401) what does not match.",
        });
      }
    }
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, encryptionKey: props.key });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId });
  }
}
