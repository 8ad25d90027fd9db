// The monitoring stack (prod only): the original CloudWatch alarms, an SNS topic they notify, and a dashboard
// of requests, errors, latency and storage. ops/prometheus/alerts.yml mirrors the same rules for other shapes.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { StageSettings, resourceName } from "./settings";

interface AlarmRule {
  resource: string; // kefir-app-<stage>-<resource>
  namespace: string;
  metricName: string;
  dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>;
  threshold: number;
  periodSeconds: number;
  statistic?: string;
  extendedStatistic?: string;
  description: string;
}

export class MonitoringStack extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];

  constructor(
    settings: StageSettings,
    args: {
      region: string;
      functions: Record<string, aws.lambda.Function>; // "api" -> its function
      api: aws.apigatewayv2.Api;
      table: aws.dynamodb.Table;
      alertEmail?: string;
    },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("kefir:stack:Monitoring", resourceName(settings, "monitoring"), {}, opts);
    const child = { parent: this };
    const topicName = resourceName(settings, "alerts");
    this.topic = new aws.sns.Topic(topicName, { name: topicName }, child);
    if (args.alertEmail) {
      new aws.sns.TopicSubscription(
        `${topicName}-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: args.alertEmail },
        child,
      );
    }

    const rules: AlarmRule[] = [];
    for (const [fnName, fn] of Object.entries(args.functions)) {
      const dimensions = { FunctionName: fn.name };
      rules.push(
        { resource: `${fnName}-errors`, namespace: "AWS/Lambda", metricName: "Errors", dimensions, threshold: 10, periodSeconds: 60, statistic: "Sum", description: "Lambda errors > 10/min" },
        { resource: `${fnName}-throttles`, namespace: "AWS/Lambda", metricName: "Throttles", dimensions, threshold: 5, periodSeconds: 60, statistic: "Sum", description: "Lambda throttles > 5/min" },
        { resource: `${fnName}-duration`, namespace: "AWS/Lambda", metricName: "Duration", dimensions, threshold: 10000, periodSeconds: 60, extendedStatistic: "p99", description: "Lambda duration p99 > 10 s" },
      );
    }
    const api = { ApiId: args.api.id, Stage: "$default" };
    rules.push(
      { resource: "api-5xx", namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: api, threshold: 10, periodSeconds: 60, statistic: "Sum", description: "API 5xx > 10/min" },
      { resource: "api-4xx", namespace: "AWS/ApiGateway", metricName: "4xx", dimensions: api, threshold: 100, periodSeconds: 300, statistic: "Sum", description: "API 4xx > 100/5 min" },
    );
    for (const metricName of ["ReadThrottleEvents", "WriteThrottleEvents"]) {
      rules.push({
        resource: `table-${metricName.startsWith("Read") ? "read" : "write"}-throttles`,
        namespace: "AWS/DynamoDB",
        metricName,
        dimensions: { TableName: args.table.name },
        threshold: 5,
        periodSeconds: 60,
        statistic: "Sum",
        description: `DynamoDB ${metricName} > 5/min`,
      });
    }
    for (const rule of rules) {
      const alarmName = resourceName(settings, rule.resource);
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          alarmName,
          {
            name: alarmName,
            alarmDescription: rule.description,
            namespace: rule.namespace,
            metricName: rule.metricName,
            dimensions: rule.dimensions,
            statistic: rule.statistic,
            extendedStatistic: rule.extendedStatistic,
            period: rule.periodSeconds,
            evaluationPeriods: 1,
            threshold: rule.threshold,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [this.topic.arn],
            okActions: [this.topic.arn],
          },
          child,
        ),
      );
    }

    const dashboardName = resourceName(settings, "dashboard");
    new aws.cloudwatch.Dashboard(
      dashboardName,
      {
        dashboardName,
        dashboardBody: pulumi
          .all([args.api.id, args.table.name, pulumi.all(Object.values(args.functions).map((fn) => fn.name))])
          .apply(([apiId, tableName, functionNames]) => JSON.stringify(dashboard(args.region, apiId, tableName, functionNames))),
      },
      child,
    );
    this.registerOutputs({ topic: this.topic.arn });
  }
}

function widget(title: string, region: string, metrics: unknown[][], x: number, y: number, stat = "Sum") {
  return { type: "metric", x, y, width: 12, height: 6, properties: { title, region, metrics, stat, period: 60, view: "timeSeries" } };
}

function dashboard(region: string, apiId: string, tableName: string, functionNames: string[]) {
  const api = ["ApiId", apiId, "Stage", "$default"];
  return {
    widgets: [
      widget("API requests", region, [["AWS/ApiGateway", "Count", ...api]], 0, 0),
      widget("API errors", region, [["AWS/ApiGateway", "4xx", ...api], ["AWS/ApiGateway", "5xx", ...api]], 12, 0),
      widget("API latency p99 (ms)", region, [["AWS/ApiGateway", "Latency", ...api]], 0, 6, "p99"),
      widget(
        "Lambda invocations and errors",
        region,
        functionNames.flatMap((fn) => [
          ["AWS/Lambda", "Invocations", "FunctionName", fn],
          ["AWS/Lambda", "Errors", "FunctionName", fn],
        ]),
        12,
        6,
      ),
      widget("Lambda duration p99 (ms)", region, functionNames.map((fn) => ["AWS/Lambda", "Duration", "FunctionName", fn]), 0, 12, "p99"),
      widget(
        "DynamoDB capacity and throttles",
        region,
        [
          ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", tableName],
          ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", tableName],
          ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", tableName],
          ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", tableName],
        ],
        12,
        12,
      ),
    ],
  };
}
