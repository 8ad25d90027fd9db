// The few SST v3 globals sst.config.ts uses, so `tsc --noEmit` checks it without `sst install` (which fetches
// Pulumi from outside the npm registry). Matches the shapes of SST's generated .sst/platform/config.d.ts.
import type { Output } from "@pulumi/pulumi";

declare global {
  interface SstAppInput {
    stage?: string;
  }
  interface SstApp {
    name: string;
    home: "aws";
    removal?: "remove" | "retain" | "retain-all";
    protect?: boolean;
    providers?: Record<string, unknown>;
  }
  const $config: (input: {
    app(input?: SstAppInput): SstApp;
    run(): Promise<Record<string, unknown> | void>;
  }) => unknown;
  const $app: { name: string; stage: string };
  namespace sst {
    class Secret {
      constructor(name: string, placeholder?: string);
      readonly value: Output<string>;
    }
  }
}
