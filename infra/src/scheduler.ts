// The scheduler stack: every 5 minutes (the original EventBridge rule, REMINDER_INTERVAL's default) the
// `scheduler` function runs one reminder-processor pass plus the push receipts that are due.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { kefirFunction } from "./functions";
import { StageSettings, resourceName } from "./settings";

export const reminderSchedule = "rate(5 minutes)";
export const schedulerInput = { source: "kefir.scheduler", task: "reminders" };

export class SchedulerStack extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly rule: aws.cloudwatch.EventRule;

  constructor(
    settings: StageSettings,
    args: {
      codeZip: string;
      role: aws.iam.Role;
      environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
    },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("kefir:stack:Scheduler", resourceName(settings, "scheduler-stack"), {}, opts);
    const child = { parent: this };
    this.function = kefirFunction(
      settings,
      { resource: "scheduler", handler: "scheduler", codeZip: args.codeZip, role: args.role, environment: args.environment },
      this,
    );
    const ruleName = resourceName(settings, "reminders");
    this.rule = new aws.cloudwatch.EventRule(
      ruleName,
      { name: ruleName, description: "Kefir reminder processor pass", scheduleExpression: reminderSchedule },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${ruleName}-target`,
      { rule: this.rule.name, arn: this.function.arn, input: JSON.stringify(schedulerInput) },
      child,
    );
    new aws.lambda.Permission(
      `${ruleName}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.function.name,
        principal: "events.amazonaws.com",
        sourceArn: this.rule.arn,
      },
      child,
    );
    this.registerOutputs({ rule: this.rule.name });
  }
}
