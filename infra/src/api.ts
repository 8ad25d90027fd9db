// The API stack: an HTTP API (payload 2.0) in front of the `http` function, with the stage's CORS rules, the
// original throttling (burst 1000, rate 2000 req/s) and a JWT authorizer that reads the service's own OIDC
// discovery document (issuer = PUBLIC_BASE_URL, audience = USER_POOL_CLIENT_ID). The handler still verifies
// every token itself.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { kefirFunction } from "./functions";
import { authorizedCatchAll, publicRoutes } from "./routes";
import { StageSettings, resourceName } from "./settings";

export const throttling = { burstLimit: 1000, rateLimit: 2000 };
export const corsHeaders = ["Content-Type", "Authorization", "Idempotency-Key", "If-Match"];
export const corsMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export class ApiStack extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly function: aws.lambda.Function;
  readonly url: pulumi.Output<string>;

  constructor(
    settings: StageSettings,
    args: {
      codeZip: string;
      role: aws.iam.Role;
      customDomain?: { name: string; certificateArn: string };
      // The environment every function shares; PUBLIC_BASE_URL is added here, once the API's URL is known.
      environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
    },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("kefir:stack:Api", resourceName(settings, "api-stack"), {}, opts);
    const child = { parent: this };
    const name = resourceName(settings, "api");

    this.api = new aws.apigatewayv2.Api(
      name,
      {
        name,
        protocolType: "HTTP",
        corsConfiguration: {
          allowOrigins: settings.corsOrigins,
          allowMethods: corsMethods,
          allowHeaders: corsHeaders,
          exposeHeaders: ["ETag", "X-Request-Id", "Retry-After"],
          maxAge: 300,
        },
      },
      child,
    );
    this.url = args.customDomain ? pulumi.output(`https://${args.customDomain.name}`) : this.api.apiEndpoint;

    this.function = kefirFunction(
      settings,
      {
        resource: "api",
        handler: "http",
        codeZip: args.codeZip,
        role: args.role,
        environment: pulumi.all([args.environment, this.url]).apply(([environment, url]) => ({
          ...environment,
          PUBLIC_BASE_URL: url,
        })),
      },
      this,
    );

    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: this.api.id,
        integrationType: "AWS_PROXY",
        integrationUri: this.function.invokeArn,
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: 30000,
      },
      child,
    );
    const target = pulumi.interpolate`integrations/${integration.id}`;

    const authorizer = new aws.apigatewayv2.Authorizer(
      `${name}-jwt`,
      {
        apiId: this.api.id,
        name: resourceName(settings, "jwt"),
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: this.url, audiences: [settings.userPoolClientId] },
      },
      child,
    );

    for (const routeKey of publicRoutes) {
      new aws.apigatewayv2.Route(`${name}-route-${routeKey}`, { apiId: this.api.id, routeKey, target }, child);
    }
    new aws.apigatewayv2.Route(
      `${name}-route-${authorizedCatchAll}`,
      { apiId: this.api.id, routeKey: authorizedCatchAll, target, authorizationType: "JWT", authorizerId: authorizer.id },
      child,
    );

    this.stage = new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: this.api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: { throttlingBurstLimit: throttling.burstLimit, throttlingRateLimit: throttling.rateLimit },
      },
      child,
    );

    new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.function.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${this.api.executionArn}/*/*`,
      },
      child,
    );

    if (args.customDomain) {
      const domain = new aws.apigatewayv2.DomainName(
        `${name}-domain`,
        {
          domainName: args.customDomain.name,
          domainNameConfiguration: {
            certificateArn: args.customDomain.certificateArn,
            endpointType: "REGIONAL",
            securityPolicy: "TLS_1_2",
          },
        },
        child,
      );
      new aws.apigatewayv2.ApiMapping(
        `${name}-mapping`,
        { apiId: this.api.id, domainName: domain.domainName, stage: this.stage.name },
        child,
      );
    }
    this.registerOutputs({ url: this.url });
  }
}
