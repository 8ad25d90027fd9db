// The auth stack: the service's built-in email OTP (SPEC §2) in place of the original Cognito user pool. Tokens
// are signed with the RSA key from the JwtPrivateKey secret; codes go out through SES over SMTP with credentials
// this stack makes (an IAM user allowed only to send from the verified identity).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { Secrets, StageSettings, resourceName } from "./settings";

export class AuthStack extends pulumi.ComponentResource {
  readonly identity: aws.sesv2.EmailIdentity;
  // The part of the functions' environment (SPEC §11) that concerns sign-in.
  readonly environment: pulumi.Output<Record<string, string>>;

  constructor(
    settings: StageSettings,
    args: { region: string; mailFrom: string; secrets: Secrets },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("kefir:stack:Auth", resourceName(settings, "auth"), {}, opts);
    const child = { parent: this };
    const address = /<([^>]+)>/.exec(args.mailFrom)?.[1] ?? args.mailFrom;
    const domain = address.split("@")[1];
    if (!domain) throw new Error(`mailFrom '${args.mailFrom}' has no domain`);

    this.identity = new aws.sesv2.EmailIdentity(resourceName(settings, "mail-identity"), { emailIdentity: domain }, child);

    const sender = new aws.iam.User(resourceName(settings, "smtp"), { name: resourceName(settings, "smtp") }, child);
    new aws.iam.UserPolicy(
      resourceName(settings, "smtp-send"),
      {
        user: sender.name,
        policy: this.identity.arn.apply((identityArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["ses:SendRawEmail"], Resource: identityArn }],
          }),
        ),
      },
      child,
    );
    const key = new aws.iam.AccessKey(resourceName(settings, "smtp-key"), { user: sender.name }, child);
    const smtpUrl = pulumi.secret(
      pulumi.interpolate`smtp://${key.id}:${key.sesSmtpPasswordV4.apply(encodeURIComponent)}@email-smtp.${args.region}.amazonaws.com:587`,
    );

    this.environment = pulumi
      .all([pulumi.secret(args.secrets.jwtPrivateKey), smtpUrl])
      .apply(([jwtPrivateKey, smtp]): Record<string, string> => ({
        JWT_PRIVATE_KEY: jwtPrivateKey,
        SMTP_URL: smtp,
        MAIL_FROM: args.mailFrom,
        USER_POOL_CLIENT_ID: settings.userPoolClientId,
      }));
    this.registerOutputs({ identity: this.identity.emailIdentity });
  }
}
