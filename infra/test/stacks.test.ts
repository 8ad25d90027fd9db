// The five stacks under Pulumi's unit-test mocks (no cloud, no Pulumi CLI): which resources each stage gets and
// with which settings, and which of them survive a removal.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import type { KefirArgs } from "../src/settings";

interface Recorded {
  type: string;
  name: string;
  opts: pulumi.ResourceOptions;
  inputs?: Record<string, any>; // resolved, as the provider would receive them
}

const apiEndpoint = "https://r3pmxmplak.execute-api.us-east-1.amazonaws.com";
const signingKey = "-----BEGIN PRIVATE KEY-----\nMIIE...test...\n-----END PRIVATE KEY-----\n";

async function deploy(stage: string, extra: Partial<KefirArgs> = {}): Promise<Recorded[]> {
  const byName = new Map<string, Recorded>(); // by type and logical name (a URN's own parts)
  let registered = 0;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, unknown> = { ...args.inputs, arn: `arn:aws:mock:us-east-1:123456789012:${args.name}` };
        if (args.type === "aws:apigatewayv2/api:Api") {
          state.apiEndpoint = apiEndpoint;
          state.executionArn = "arn:aws:execute-api:us-east-1:123456789012:r3pmxmplak";
        }
        if (args.type === "aws:lambda/function:Function") state.invokeArn = `arn:aws:apigateway:invoke:${args.name}`;
        if (args.type === "aws:iam/accessKey:AccessKey") state.sesSmtpPasswordV4 = "BPass/with+chars=";
        const recorded = byName.get(`${args.type}::${args.name}`);
        if (recorded) recorded.inputs = args.inputs;
        // Components and the default provider are registered too; count what the stacks declared.
        if (!args.type.startsWith("kefir:") && !args.type.startsWith("pulumi:providers:")) registered += 1;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "kefir-app",
    stage,
    false,
  );
  const { deployKefir } = await import("../src/index");
  const recorder: pulumi.ResourceTransformation = ({ type, name, opts }) => {
    byName.set(`${type}::${name}`, { type, name, opts });
    return undefined;
  };
  const app = deployKefir(
    {
      stage,
      region: "us-east-1",
      codeZip: "../dist/kefir-lambda-arm64.zip",
      mailFrom: "Kefir <no-reply@kefirproducer.com>",
      secrets: { jwtPrivateKey: signingKey, expoAccessToken: "expo-token", vapidPrivateKey: "vapid-pem" },
      ...extra,
    },
    { transformations: [recorder] },
  );
  await new Promise((resolve) => pulumi.all(app.outputs()).apply(resolve));
  const custom = () => [...byName.values()].filter((r) => !r.type.startsWith("kefir:"));
  for (let i = 0; i < 500 && registered < custom().length; ++i) await new Promise((r) => setTimeout(r, 5));
  assert.equal(registered, custom().length, "every resource reached the (mock) engine");
  return custom();
}

// Pulumi's wire form of a secret: what a provider (and the state file) sees is marked and encrypted.
const secretSignature = "4dabf18193072939515e22adb298388d";
function secret(value: any): any {
  assert.equal(value?.[secretSignature], "1b47061264138c4ac30d75fd1eb44270", "expected a secret");
  return value.value;
}
function env(fn: Recorded): Record<string, string> {
  return secret(fn.inputs!.environment).variables;
}

function only(resources: Recorded[], type: string): Recorded[] {
  return resources.filter((r) => r.type === type);
}
function one(resources: Recorded[], type: string, name?: string): Recorded {
  const found = only(resources, type).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `exactly one ${type} ${name ?? ""}`);
  return found[0];
}

// Suites run one after the other; each deploys in `before`, as the mocks are process-wide.
describe("dev stage", () => {
  let resources: Recorded[] = [];
  before(async () => {
    resources = await deploy("dev");
  });

  test("every resource is named kefir-app-dev-<resource>", () => {
    for (const r of resources) assert.match(r.name, /^kefir-app-dev-[a-z0-9-]/, r.name);
    const unnamed = ["aws:apigatewayv2/stage:Stage"]; // "$default": API Gateway's name for the root stage
    for (const r of resources) if (r.inputs?.name && !unnamed.includes(r.type)) assert.match(r.inputs.name, /^(kefir-app-dev-|\/aws\/lambda\/kefir-app-dev-)/);
  });

  test("the table has PK/SK, GSI1, TTL and encryption; no PITR, no deletion protection, removed with the stack", () => {
    const table = one(resources, "aws:dynamodb/table:Table");
    assert.equal(table.inputs!.name, "kefir-app-dev-table");
    assert.equal(table.inputs!.hashKey, "PK");
    assert.equal(table.inputs!.rangeKey, "SK");
    assert.equal(table.inputs!.billingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table.inputs!.globalSecondaryIndexes, [
      { name: "GSI1", hashKey: "GSI1PK", rangeKey: "GSI1SK", projectionType: "ALL" },
    ]);
    assert.deepEqual(table.inputs!.ttl, { attributeName: "TTL", enabled: true });
    assert.deepEqual(table.inputs!.serverSideEncryption, { enabled: true });
    assert.deepEqual(table.inputs!.pointInTimeRecovery, { enabled: false });
    assert.equal(table.inputs!.deletionProtectionEnabled, false);
    assert.ok(!table.opts.retainOnDelete);
  });

  test("the bucket blocks public access, encrypts AES256, expires photos and pending uploads, no versioning", () => {
    const bucket = one(resources, "aws:s3/bucketV2:BucketV2");
    assert.equal(bucket.inputs!.bucket, "kefir-app-dev-photos");
    assert.equal(bucket.inputs!.forceDestroy, true);
    assert.ok(!bucket.opts.retainOnDelete);
    const block = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs!;
    for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block[key], true);
    const sse = one(resources, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2");
    assert.equal(sse.inputs!.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    const cors = one(resources, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2");
    assert.deepEqual(cors.inputs!.corsRules[0].allowedOrigins, ["*"]);
    const rules = one(resources, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2").inputs!.rules;
    assert.equal(rules.find((r: any) => r.id === "expire-photos").expiration.days, 365);
    const pending = rules.find((r: any) => r.id === "expire-unattached-uploads");
    assert.deepEqual(pending.filter.tag, { key: "kefir", value: "pending" });
    assert.equal(pending.expiration.days, 7);
    assert.equal(rules.find((r: any) => r.id === "abort-incomplete-uploads").abortIncompleteMultipartUpload.daysAfterInitiation, 7);
    assert.equal(only(resources, "aws:s3/bucketVersioningV2:BucketVersioningV2").length, 0);
  });

  test("both functions run the arm64 bootstrap with 512 MB, 30 s and the SPEC §11 environment", () => {
    const functions = only(resources, "aws:lambda/function:Function");
    assert.deepEqual(functions.map((f) => f.inputs!.name).sort(), ["kefir-app-dev-api", "kefir-app-dev-scheduler"]);
    for (const fn of functions) {
      const inputs = fn.inputs!;
      assert.equal(inputs.runtime, "provided.al2023");
      assert.deepEqual(inputs.architectures, ["arm64"]);
      assert.equal(inputs.memorySize, 512);
      assert.equal(inputs.timeout, 30);
      assert.equal(inputs.handler, fn.name.endsWith("-api") ? "http" : "scheduler");
      const variables = env(fn);
      assert.equal(variables.STAGE, "dev");
      assert.equal(variables.STORE, "dynamodb");
      assert.equal(variables.TABLE_NAME, "kefir-app-dev-table");
      assert.equal(variables.BLOBS, "s3");
      assert.equal(variables.BUCKET_NAME, "kefir-app-dev-photos");
      assert.equal(variables.PUBLIC_BASE_URL, apiEndpoint);
      assert.equal(variables.JWT_PRIVATE_KEY, signingKey);
      assert.equal(variables.USER_POOL_CLIENT_ID, "kefir-app");
      assert.equal(variables.EXPO_ACCESS_TOKEN, "expo-token");
      assert.equal(variables.VAPID_PRIVATE_KEY, "vapid-pem");
      assert.equal(variables.SMTP_URL, "smtp://kefir-app-dev-smtp-key-id:BPass%2Fwith%2Bchars%3D@email-smtp.us-east-1.amazonaws.com:587");
      assert.equal(variables.MAIL_FROM, "Kefir <no-reply@kefirproducer.com>");
      assert.equal(variables.DATA_DIR, "/tmp/kefir");
      // Lambda sets these itself and refuses functions that try to.
      for (const reserved of ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) assert.ok(!(reserved in variables));
    }
  });

  test("the HTTP API: payload 2.0, CORS *, throttling 1000/2000, JWT authorizer on the service's own issuer", () => {
    const api = one(resources, "aws:apigatewayv2/api:Api").inputs!;
    assert.equal(api.protocolType, "HTTP");
    assert.deepEqual(api.corsConfiguration.allowOrigins, ["*"]);
    assert.deepEqual(api.corsConfiguration.allowHeaders, ["Content-Type", "Authorization", "Idempotency-Key", "If-Match"]);
    assert.equal(api.corsConfiguration.maxAge, 300);
    assert.equal(one(resources, "aws:apigatewayv2/integration:Integration").inputs!.payloadFormatVersion, "2.0");
    const stage = one(resources, "aws:apigatewayv2/stage:Stage").inputs!;
    assert.equal(stage.name, "$default");
    assert.deepEqual(stage.defaultRouteSettings, { throttlingBurstLimit: 1000, throttlingRateLimit: 2000 });
    const authorizer = one(resources, "aws:apigatewayv2/authorizer:Authorizer").inputs!;
    assert.equal(authorizer.authorizerType, "JWT");
    assert.deepEqual(authorizer.jwtConfiguration, { issuer: apiEndpoint, audiences: ["kefir-app"] });
    const routes = only(resources, "aws:apigatewayv2/route:Route").map((r) => r.inputs!);
    const login = routes.find((r) => r.routeKey === "POST /auth/login");
    assert.ok(login && !login.authorizationType, "sign-in needs no token");
    assert.ok(routes.find((r) => r.routeKey === "GET /b/{batchId}" && !r.authorizationType));
    const rest = routes.find((r) => r.routeKey === "ANY /{proxy+}")!;
    assert.equal(rest.authorizationType, "JWT");
    assert.equal(rest.authorizerId, "kefir-app-dev-api-jwt-id");
    const invoke = only(resources, "aws:lambda/permission:Permission").find((p) => p.inputs!.principal === "apigateway.amazonaws.com");
    assert.equal(invoke!.inputs!.function, "kefir-app-dev-api");
  });

  test("the scheduler rule runs every 5 minutes with JSON input", () => {
    const rule = one(resources, "aws:cloudwatch/eventRule:EventRule").inputs!;
    assert.equal(rule.name, "kefir-app-dev-reminders");
    assert.equal(rule.scheduleExpression, "rate(5 minutes)");
    const target = one(resources, "aws:cloudwatch/eventTarget:EventTarget").inputs!;
    assert.deepEqual(JSON.parse(target.input), { source: "kefir.scheduler", task: "reminders" });
    assert.match(target.arn, /kefir-app-dev-scheduler/);
  });

  test("no alarms, topic or dashboard outside prod", () => {
    for (const type of ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard"])
      assert.equal(only(resources, type).length, 0, type);
  });
});

describe("prod stage", () => {
  let resources: Recorded[] = [];
  before(async () => {
    resources = await deploy("prod", {
      customDomain: { name: "api.kefirproducer.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" },
      alertEmail: "ops@kefirproducer.com",
    });
  });

  test("the table has PITR and deletion protection, and the table and bucket are retained and protected", () => {
    const table = one(resources, "aws:dynamodb/table:Table");
    assert.deepEqual(table.inputs!.pointInTimeRecovery, { enabled: true });
    assert.equal(table.inputs!.deletionProtectionEnabled, true);
    const bucket = one(resources, "aws:s3/bucketV2:BucketV2");
    assert.equal(bucket.inputs!.forceDestroy, false);
    for (const kept of [table, bucket]) {
      assert.equal(kept.opts.retainOnDelete, true, kept.name);
      assert.equal(kept.opts.protect, true, kept.name);
    }
  });

  test("the bucket is versioned and its CORS and the API's allow only the app's origins", () => {
    const versioning = one(resources, "aws:s3/bucketVersioningV2:BucketVersioningV2").inputs!;
    assert.equal(versioning.versioningConfiguration.status, "Enabled");
    const origins = ["https://kefirproducer.com", "https://*.kefirproducer.com"];
    assert.deepEqual(one(resources, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2").inputs!.corsRules[0].allowedOrigins, origins);
    assert.deepEqual(one(resources, "aws:apigatewayv2/api:Api").inputs!.corsConfiguration.allowOrigins, origins);
    for (const fn of only(resources, "aws:lambda/function:Function"))
      assert.equal(env(fn).CORS_ORIGINS, origins.join(","));
  });

  test("the custom domain is the tokens' issuer and PUBLIC_BASE_URL", () => {
    const issuer = "https://api.kefirproducer.com";
    assert.equal(one(resources, "aws:apigatewayv2/authorizer:Authorizer").inputs!.jwtConfiguration.issuer, issuer);
    for (const fn of only(resources, "aws:lambda/function:Function")) assert.equal(env(fn).PUBLIC_BASE_URL, issuer);
    assert.equal(one(resources, "aws:apigatewayv2/domainName:DomainName").inputs!.domainName, "api.kefirproducer.com");
  });

  test("the original alarms notify the alert topic", () => {
    const alarms = new Map(only(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.inputs!.name, a.inputs!]));
    const expected: Record<string, [string, string, number, number]> = {
      "kefir-app-prod-api-errors": ["AWS/Lambda", "Errors", 10, 60],
      "kefir-app-prod-api-throttles": ["AWS/Lambda", "Throttles", 5, 60],
      "kefir-app-prod-api-duration": ["AWS/Lambda", "Duration", 10000, 60],
      "kefir-app-prod-scheduler-errors": ["AWS/Lambda", "Errors", 10, 60],
      "kefir-app-prod-scheduler-throttles": ["AWS/Lambda", "Throttles", 5, 60],
      "kefir-app-prod-scheduler-duration": ["AWS/Lambda", "Duration", 10000, 60],
      "kefir-app-prod-api-5xx": ["AWS/ApiGateway", "5xx", 10, 60],
      "kefir-app-prod-api-4xx": ["AWS/ApiGateway", "4xx", 100, 300],
      "kefir-app-prod-table-read-throttles": ["AWS/DynamoDB", "ReadThrottleEvents", 5, 60],
      "kefir-app-prod-table-write-throttles": ["AWS/DynamoDB", "WriteThrottleEvents", 5, 60],
    };
    assert.deepEqual([...alarms.keys()].sort(), Object.keys(expected).sort());
    const topic = one(resources, "aws:sns/topic:Topic");
    assert.equal(topic.inputs!.name, "kefir-app-prod-alerts");
    for (const [name, [namespace, metric, threshold, period]] of Object.entries(expected)) {
      const alarm = alarms.get(name)!;
      assert.equal(alarm.namespace, namespace, name);
      assert.equal(alarm.metricName, metric, name);
      assert.equal(alarm.threshold, threshold, name);
      assert.equal(alarm.period, period, name);
      assert.equal(alarm.comparisonOperator, "GreaterThanThreshold", name);
      assert.deepEqual(alarm.alarmActions, ["arn:aws:mock:us-east-1:123456789012:kefir-app-prod-alerts"], name);
    }
    assert.equal(alarms.get("kefir-app-prod-api-duration")!.extendedStatistic, "p99");
    assert.equal(one(resources, "aws:sns/topicSubscription:TopicSubscription").inputs!.endpoint, "ops@kefirproducer.com");
  });

  test("the dashboard shows requests, errors, latency and storage", () => {
    const body = JSON.parse(one(resources, "aws:cloudwatch/dashboard:Dashboard").inputs!.dashboardBody);
    const titles = body.widgets.map((w: any) => w.properties.title);
    for (const title of ["API requests", "API errors", "API latency p99 (ms)", "DynamoDB capacity and throttles"]) assert.ok(titles.includes(title), title);
  });
});

test("a stage name that cannot be part of resource names is refused", async () => {
  await assert.rejects(deploy("Prod_1"), /invalid stage name/);
});
