// The whole deployment of one stage: auth, data, API, scheduler and (prod) monitoring, as the original five
// stacks. sst.config.ts calls deployKefir; the tests call it under Pulumi's mocks.
import * as pulumi from "@pulumi/pulumi";

import { ApiStack } from "./api";
import { AuthStack } from "./auth";
import { DataStack } from "./data";
import { functionRole } from "./functions";
import { MonitoringStack } from "./monitoring";
import { SchedulerStack } from "./scheduler";
import { KefirArgs, resourceName, stageSettings } from "./settings";

export class KefirApp extends pulumi.ComponentResource {
  readonly auth: AuthStack;
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly scheduler: SchedulerStack;
  readonly monitoring?: MonitoringStack;

  constructor(args: KefirArgs, opts?: pulumi.ComponentResourceOptions) {
    const settings = stageSettings(args);
    super("kefir:App", resourceName(settings, "app"), {}, opts);
    const child = { parent: this };
    this.auth = new AuthStack(settings, { region: args.region, mailFrom: args.mailFrom, secrets: args.secrets }, child);
    this.data = new DataStack(settings, child);
    const role = functionRole(settings, this.data, this);

    // SPEC §11, as every function sees it (PUBLIC_BASE_URL joins in the API stack).
    const environment = pulumi
      .all([
        this.auth.environment,
        this.data.table.name,
        this.data.bucket.bucket,
        pulumi.secret(args.secrets.expoAccessToken),
        pulumi.secret(args.secrets.vapidPrivateKey),
      ])
      .apply(([auth, tableName, bucketName, expoAccessToken, vapidPrivateKey]) => ({
        ...auth,
        STAGE: settings.stage,
        STORE: "dynamodb",
        TABLE_NAME: tableName,
        BLOBS: "s3",
        BUCKET_NAME: bucketName,
        EXPO_ACCESS_TOKEN: expoAccessToken,
        // Every stage: one Web Push identity for all instances (a key generated per instance in /tmp would
        // orphan the subscriptions made with another).
        VAPID_PRIVATE_KEY: vapidPrivateKey,
        CORS_ORIGINS: settings.corsOrigins.join(","),
        PHOTO_RETENTION_DAYS: String(settings.photoRetentionDays),
        DATA_DIR: "/tmp/kefir", // the only writable place in Lambda (temporary upload files)
        LOG_LEVEL: "info",
      }));

    this.api = new ApiStack(settings, { codeZip: args.codeZip, role, customDomain: args.customDomain, environment }, child);
    // The scheduler builds links (photo URLs in pushes, labels) with the same base URL as the API.
    const schedulerEnvironment = pulumi
      .all([environment, this.api.url])
      .apply(([env, url]) => ({ ...env, PUBLIC_BASE_URL: url }));
    this.scheduler = new SchedulerStack(settings, { codeZip: args.codeZip, role, environment: schedulerEnvironment }, child);
    if (settings.prod) {
      this.monitoring = new MonitoringStack(
        settings,
        {
          region: args.region,
          functions: { api: this.api.function, scheduler: this.scheduler.function },
          api: this.api.api,
          table: this.data.table,
          alertEmail: args.alertEmail,
        },
        child,
      );
    }
    this.registerOutputs(this.outputs());
  }

  outputs() {
    return {
      url: this.api.url,
      table: this.data.table.name,
      bucket: this.data.bucket.bucket,
      apiFunction: this.api.function.name,
      schedulerFunction: this.scheduler.function.name,
    };
  }
}

export function deployKefir(args: KefirArgs, opts?: pulumi.ComponentResourceOptions): KefirApp {
  return new KefirApp(args, opts);
}

export type { KefirArgs } from "./settings";
