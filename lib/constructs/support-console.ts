/**
 * The support console: web/ in a private S3 bucket behind CloudFront (origin access control, HTTPS only),
 * served with security headers: a strict CSP (scripts, styles and API calls only from this site and the
 * region's API Gateway), no sniffing, no framing.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Distribution, HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ROOT } from './pipeline-function.ts';

/** What the deployed console talks to. */
export interface ConsoleBackend {
  /** Base URL of the support API (written into config.js). */
  readonly apiUrl: string;
  /** The user pool whose hosted sign-in the console redirects to. */
  readonly userPool: UserPool;
  /** The console's app client (implicit flow). */
  readonly client: UserPoolClient;
}

/** Scripts and styles from the console's own origin only (web/ has no inline script or style); API calls to API Gateway. */
export const consoleCsp = (region: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' https://*.execute-api.${region}.amazonaws.com`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');

export class SupportConsole extends Construct {
  readonly distribution: Distribution;
  readonly url: string;
  private readonly site: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself.' });
    const site = (this.site = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    }));
    // The API's own URL would make the distribution depend on the API, which depends on the console's
    // origin (CORS): the CSP names the region's API Gateway domain instead.
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'impact support console: strict CSP, nosniff, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleCsp(Stack.of(this).region), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    this.distribution = new Distribution(this, 'Cdn', {
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: securityHeaders,
      },
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cdn/',
    });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR1', reason: 'Support staff work from many countries; no geo restriction.' });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'Static console only; the API it calls requires a Cognito JWT. A WAF can be attached by the platform team.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The default CloudFront certificate is used until a custom domain is configured; TLS 1.2 is the minimum where a certificate is set.',
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    new CfnOutput(this, 'ConsoleUrl', { value: this.url });
  }

  /** Deploys web/ with a config.js that points at the API and the Cognito hosted sign-in. */
  deploy(props: ConsoleBackend): void {
    const domain = props.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: `impact-${Stack.of(this).account}`.slice(0, 60) } });
    const signIn = `${domain.baseUrl()}/oauth2/authorize?response_type=token&scope=openid&client_id=${props.client.userPoolClientId}`;
    new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(`${ROOT}web`, { exclude: ['config.js', '*.d.ts'] }),
        Source.data('config.js', `window.IMPACT_API = '${props.apiUrl}';\nwindow.IMPACT_SIGN_IN = '${signIn}';\n`),
      ],
      destinationBucket: this.site,
      distribution: this.distribution,
    });
    acknowledgeBucketDeployment(this, this.site);
  }
}

/**
 * BucketDeployment runs a CDK-owned singleton function (Python, S3 copy, CloudFront invalidation) that
 * is not ours to change; its findings are acknowledged on that construct only, each with its reason.
 */
const acknowledgeBucketDeployment = (scope: Construct, site: Bucket): void => {
  const stack = Stack.of(scope);
  const singleton = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!singleton) return;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const siteId = stack.getLogicalId(site.node.defaultChild as CfnBucket);
  const owned = 'CDK-owned BucketDeployment function: copies web/ to the console bucket and invalidates CloudFront; its policy comes from aws-cdk-lib.';
  for (const id of [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AwsSolutions-IAM5[Action::s3:GetObject*]',
    'AwsSolutions-IAM5[Action::s3:GetBucket*]',
    'AwsSolutions-IAM5[Action::s3:List*]',
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
    'AwsSolutions-IAM5[Action::s3:Abort*]',
    'AwsSolutions-IAM5[Resource::*]',
    `AwsSolutions-IAM5[Resource::<${siteId}.Arn>/*]`,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
    'AwsSolutions-L1',
    'Serverless-LambdaDLQ',
    'Serverless-LambdaLatestVersion',
    'Serverless-LambdaTracing',
  ]) {
    Validations.of(singleton).acknowledge({ id, reason: owned });
  }
};
