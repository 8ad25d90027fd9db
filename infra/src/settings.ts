// Everything that differs between stages, in one place: names follow `kefir-app-<stage>-<resource>`, prod keeps
// its data (retain, PITR, deletion protection, versioning) and raises alarms, dev is disposable.
import * as pulumi from "@pulumi/pulumi";

export interface Secrets {
  jwtPrivateKey: pulumi.Input<string>; // RSA-2048 PEM, the tokens' signing key (JWT_PRIVATE_KEY)
  expoAccessToken: pulumi.Input<string>; // "" when the Expo project needs none
  vapidPrivateKey: pulumi.Input<string>; // P-256 EC PEM, the Web Push (VAPID) identity (VAPID_PRIVATE_KEY)
}

export interface KefirArgs {
  stage: string;
  region: string;
  codeZip: string; // dist/kefir-lambda-arm64.zip: `bootstrap` for provided.al2023 arm64
  secrets: Secrets;
  mailFrom: string; // verified in SES by the auth stack
  customDomain?: { name: string; certificateArn: string }; // e.g. api.kefirproducer.com; else the API's own URL
  corsOrigins?: string[]; // prod only; dev allows *
  alertEmail?: string; // prod alarms also go to this address
}

export interface StageSettings {
  stage: string;
  prod: boolean;
  retain: boolean; // keep data resources when the stack is removed
  corsOrigins: string[];
  logRetentionDays: number;
  photoRetentionDays: number;
  userPoolClientId: string;
}

export const defaultProdOrigins = ["https://kefirproducer.com", "https://*.kefirproducer.com"];

export function stageSettings(args: Pick<KefirArgs, "stage" | "corsOrigins">): StageSettings {
  if (!/^[a-z][a-z0-9-]{0,20}$/.test(args.stage)) throw new Error(`invalid stage name '${args.stage}'`);
  const prod = args.stage === "prod";
  return {
    stage: args.stage,
    prod,
    retain: prod,
    corsOrigins: prod ? (args.corsOrigins ?? defaultProdOrigins) : ["*"],
    logRetentionDays: prod ? 90 : 7,
    photoRetentionDays: 365,
    userPoolClientId: "kefir-app",
  };
}

export function resourceName(settings: StageSettings, resource: string): string {
  return `kefir-app-${settings.stage}-${resource}`;
}

// Options for resources that hold users' data: never deleted with the stack in prod.
export function dataOptions(settings: StageSettings, parent: pulumi.Resource): pulumi.CustomResourceOptions {
  return { parent, retainOnDelete: settings.retain, protect: settings.retain };
}
