/** The support API: HTTP API with a Cognito JWT authorizer in front of the api function. */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { FeaturePlan, Mfa, OAuthScope, StandardThreatProtectionMode, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface SupportApiProps {
  fn: IFunction;
  key: IKey;
  logRetention: RetentionDays;
  /** Where the hosted sign-in may send users back to (the console's URL). */
  callbackUrls?: string[];
}

export class SupportApi extends Construct {
  readonly api: HttpApi;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: SupportApiProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const client = this.userPool.addClient('Console', { authFlows: { userSrp: true }, oAuth: { flows: { implicitCodeGrant: true }, scopes: [OAuthScope.OPENID], callbackUrls: props.callbackUrls ?? ['http://localhost:3000/'] } });
    this.client = client;
    const authorizer = new HttpJwtAuthorizer('Jwt', `https://cognito-idp.${this.userPool.stack.region}.amazonaws.com/${this.userPool.userPoolId}`, { jwtAudience: [client.userPoolClientId] });
    this.api = new HttpApi(this, 'Api', { description: 'first-line support: subjects, customer lookup, what-if', defaultAuthorizer: authorizer });
    const integration = new HttpLambdaIntegration('Api', props.fn);
    for (const [path, method] of [
      ['/subjects', HttpMethod.GET],
      ['/changes', HttpMethod.GET],
      ['/incidents', HttpMethod.GET],
      ['/subjects/{type}/{id}', HttpMethod.GET],
      ['/subjects/{type}/{id}/customers', HttpMethod.GET],
      ['/customers/{id}', HttpMethod.GET],
      ['/customers/{id}/impacts', HttpMethod.GET],
      ['/touchpoints', HttpMethod.GET],
      ['/touchpoints/{id}', HttpMethod.GET],
      ['/metrics', HttpMethod.GET],
      ['/what-if', HttpMethod.POST],
      ['/assess', HttpMethod.POST],
      ['/events', HttpMethod.POST],
    ] as const) {
      this.api.addRoutes({ path, methods: [method], integration });
    }
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, encryptionKey: props.key });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency', ip: '$context.identity.sourceIp' }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 50, throttlingRateLimit: 25 };
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG1', reason: 'Access logging is configured on the default stage (raw override, JSON format).' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
  }
}
