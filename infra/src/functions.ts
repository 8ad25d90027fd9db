// The Lambda functions: one zip (`bootstrap`, provided.al2023, arm64) for every function; `handler` (_HANDLER)
// picks what an invocation is: `http` (API Gateway payload 2.0) or `scheduler` (a reminder-processor pass).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { StageSettings, resourceName } from "./settings";

export const functionDefaults = { architecture: "arm64", memorySize: 512, timeoutSeconds: 30, runtime: "provided.al2023" };

// One role for the functions: the table and its index, the photo bucket, and their own logs.
export function functionRole(
  settings: StageSettings,
  data: { table: aws.dynamodb.Table; bucket: aws.s3.BucketV2 },
  parent: pulumi.Resource,
): aws.iam.Role {
  const name = resourceName(settings, "functions");
  const role = new aws.iam.Role(
    name,
    {
      name,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    },
    { parent },
  );
  new aws.iam.RolePolicyAttachment(
    `${name}-logs`,
    { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-data`,
    {
      role: role.id,
      policy: pulumi.all([data.table.arn, data.bucket.arn]).apply(([tableArn, bucketArn]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:Query",
                "dynamodb:BatchWriteItem",
                "dynamodb:TransactWriteItems",
                "dynamodb:DescribeTable",
              ],
              Resource: [tableArn, `${tableArn}/index/*`],
            },
            {
              Effect: "Allow",
              Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"],
              Resource: `${bucketArn}/*`,
            },
            { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
          ],
        }),
      ),
    },
    { parent },
  );
  return role;
}

export function kefirFunction(
  settings: StageSettings,
  args: {
    resource: string; // "api" -> kefir-app-<stage>-api
    handler: "http" | "scheduler";
    codeZip: string;
    role: aws.iam.Role;
    environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  },
  parent: pulumi.Resource,
): aws.lambda.Function {
  const name = resourceName(settings, args.resource);
  // Created first, so the function's logs get the stage's retention instead of "never expire".
  const logs = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/aws/lambda/${name}`, retentionInDays: settings.logRetentionDays },
    { parent },
  );
  return new aws.lambda.Function(
    name,
    {
      name,
      runtime: functionDefaults.runtime,
      architectures: [functionDefaults.architecture],
      memorySize: functionDefaults.memorySize,
      timeout: functionDefaults.timeoutSeconds,
      handler: args.handler,
      code: new pulumi.asset.FileArchive(args.codeZip),
      role: args.role.arn,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "Text", logGroup: logs.name },
    },
    { parent, dependsOn: [logs] },
  );
}
