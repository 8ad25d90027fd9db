// The data stack: the single table (PK/SK, GSI1, TTL; SPEC §12) and the photo bucket (SPEC §7).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { StageSettings, dataOptions, resourceName } from "./settings";

export class DataStack extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly bucket: aws.s3.BucketV2;

  constructor(settings: StageSettings, opts?: pulumi.ComponentResourceOptions) {
    super("kefir:stack:Data", resourceName(settings, "data"), {}, opts);
    const keep = dataOptions(settings, this);
    const child = { parent: this };

    const tableName = resourceName(settings, "table");
    this.table = new aws.dynamodb.Table(
      tableName,
      {
        name: tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "PK",
        rangeKey: "SK",
        attributes: [
          { name: "PK", type: "S" },
          { name: "SK", type: "S" },
          { name: "GSI1PK", type: "S" },
          { name: "GSI1SK", type: "S" },
        ],
        globalSecondaryIndexes: [{ name: "GSI1", hashKey: "GSI1PK", rangeKey: "GSI1SK", projectionType: "ALL" }],
        ttl: { attributeName: "TTL", enabled: true },
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: settings.prod },
        deletionProtectionEnabled: settings.prod,
      },
      keep,
    );

    const bucketName = resourceName(settings, "photos");
    this.bucket = new aws.s3.BucketV2(bucketName, { bucket: bucketName, forceDestroy: !settings.retain }, keep);
    new aws.s3.BucketPublicAccessBlock(
      `${bucketName}-public-access`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfigurationV2(
      `${bucketName}-encryption`,
      { bucket: this.bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      child,
    );
    // Apps upload straight to presigned URLs (PUT with Content-Type and x-amz-tagging) and show photos (GET).
    new aws.s3.BucketCorsConfigurationV2(
      `${bucketName}-cors`,
      {
        bucket: this.bucket.id,
        corsRules: [
          {
            allowedMethods: ["GET", "PUT", "HEAD"],
            allowedOrigins: settings.corsOrigins,
            allowedHeaders: ["Content-Type", "x-amz-tagging"],
            exposeHeaders: ["ETag"],
            maxAgeSeconds: 300,
          },
        ],
      },
      child,
    );
    if (settings.prod) {
      new aws.s3.BucketVersioningV2(
        `${bucketName}-versioning`,
        { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
        child,
      );
    }
    new aws.s3.BucketLifecycleConfigurationV2(
      `${bucketName}-lifecycle`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            id: "expire-photos",
            status: "Enabled",
            filter: {},
            expiration: { days: settings.photoRetentionDays },
            // With versioning (prod) a deleted photo lingers as a noncurrent version for a while, not forever.
            noncurrentVersionExpiration: { noncurrentDays: 30 },
          },
          {
            id: "expire-unattached-uploads",
            status: "Enabled",
            filter: { tag: { key: "kefir", value: "pending" } },
            expiration: { days: 7 },
          },
          {
            id: "abort-incomplete-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      child,
    );
    this.registerOutputs({ tableName: this.table.name, bucketName: this.bucket.bucket });
  }
}
