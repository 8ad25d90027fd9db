// SST v3 entry point (`sst deploy --stage dev|prod`). Kept thin: the stacks are plain Pulumi modules in src/,
// tested offline with Pulumi's mocks (test/). Secrets: `sst secret set JwtPrivateKey "$(cat key.pem)" --stage prod`,
// and optionally ExpoAccessToken. Build the zip first: `make lambda-zip`.
export default $config({
  app(input) {
    const prod = input?.stage === "prod";
    return {
      name: "kefir-app",
      home: "aws",
      removal: prod ? "retain" : "remove",
      protect: prod,
      providers: { aws: { region: (process.env.AWS_REGION ?? "us-east-1") as "us-east-1" } },
    };
  },
  async run() {
    const { deployKefir } = await import("./src/index");
    const app = deployKefir({
      stage: $app.stage,
      region: process.env.AWS_REGION ?? "us-east-1",
      codeZip: "../dist/kefir-lambda-arm64.zip",
      mailFrom: process.env.KEFIR_MAIL_FROM ?? "Kefir <no-reply@kefirproducer.com>",
      customDomain: process.env.KEFIR_API_DOMAIN
        ? { name: process.env.KEFIR_API_DOMAIN, certificateArn: process.env.KEFIR_API_CERTIFICATE_ARN ?? "" }
        : undefined,
      alertEmail: process.env.KEFIR_ALERT_EMAIL,
      secrets: {
        jwtPrivateKey: new sst.Secret("JwtPrivateKey").value,
        expoAccessToken: new sst.Secret("ExpoAccessToken", "").value,
        vapidPrivateKey: new sst.Secret("VapidPrivateKey").value,
      },
    });
    return app.outputs();
  },
});
