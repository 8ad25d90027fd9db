// A schema check of .github/workflows (Debian has no actionlint): the keys GitHub Actions knows, one of
// `uses`/`run` per step with pinned actions, expressions that name only existing contexts, inputs and step ids,
// shell scripts that parse, make targets that exist, and what each workflow must do.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import yaml from "js-yaml";

const root = path.resolve(__dirname, "../../..");
const workflowDir = path.join(root, ".github/workflows");

const workflowKeys = ["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
const jobKeys = ["name", "needs", "runs-on", "container", "services", "timeout-minutes", "steps", "env", "defaults", "if",
  "environment", "permissions", "strategy", "outputs", "concurrency", "continue-on-error"];
const stepKeys = ["id", "name", "uses", "run", "with", "env", "if", "working-directory", "shell", "continue-on-error", "timeout-minutes"];
const contexts = ["github", "env", "vars", "secrets", "inputs", "steps", "job", "jobs", "runner", "needs", "matrix", "strategy"];
const functions = ["always", "success", "failure", "cancelled", "contains", "startsWith", "endsWith", "format", "join", "toJSON", "fromJSON", "hashFiles"];
// The credentials the original deployment named; docs/deploy-aws.md tells how to set them.
const knownSecrets = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"];

type Step = Record<string, any>;
type Job = { steps: Step[] } & Record<string, any>;
interface Workflow {
  name: string;
  on: Record<string, any>;
  jobs: Record<string, Job>;
}

function load(file: string, dir = workflowDir): Workflow {
  // GitHub reads `on` as a key; YAML 1.1 would read it as true.
  return yaml.load(readFileSync(path.join(dir, file), "utf8"), { schema: yaml.CORE_SCHEMA }) as Workflow;
}

function unknownKeys(object: Record<string, unknown>, allowed: string[]): string[] {
  return Object.keys(object).filter((key) => !allowed.includes(key));
}

function expressions(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return [...text.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1].trim());
}

function makeTargets(): string[] {
  const makefile = readFileSync(path.join(root, "Makefile"), "utf8");
  return [...makefile.matchAll(/^([a-z][\w-]*):/gm)].map((m) => m[1]);
}

function checkWorkflow(file: string, dir = workflowDir): string[] {
  const problems: string[] = [];
  const workflow = load(file, dir);
  const where = (...parts: string[]) => `${file}: ${parts.join(" > ")}`;
  for (const key of unknownKeys(workflow as any, workflowKeys)) problems.push(where(`unknown key '${key}'`));
  if (!workflow.on) problems.push(where("no trigger ('on')"));
  const inputs = Object.keys(workflow.on?.workflow_dispatch?.inputs ?? {});
  for (const [name, input] of Object.entries<any>(workflow.on?.workflow_dispatch?.inputs ?? {})) {
    if (input.type === "choice" && !input.options?.includes(input.default)) problems.push(where("input", name, "default not among options"));
  }
  const targets = makeTargets();
  const jobs = Object.entries(workflow.jobs ?? {});
  if (jobs.length === 0) problems.push(where("no jobs"));
  for (const [jobId, job] of jobs) {
    for (const key of unknownKeys(job, jobKeys)) problems.push(where(jobId, `unknown key '${key}'`));
    if (!job["runs-on"]) problems.push(where(jobId, "no runs-on"));
    for (const need of [job.needs ?? []].flat()) if (!workflow.jobs[need]) problems.push(where(jobId, `needs unknown job '${need}'`));
    if (!Array.isArray(job.steps) || job.steps.length === 0) {
      problems.push(where(jobId, "no steps"));
      continue;
    }
    const stepIds: string[] = [];
    job.steps.forEach((step, index) => {
      const label = step.name ?? step.uses ?? `step ${index + 1}`;
      for (const key of unknownKeys(step, stepKeys)) problems.push(where(jobId, label, `unknown key '${key}'`));
      if (("uses" in step) === ("run" in step)) problems.push(where(jobId, label, "needs exactly one of uses/run"));
      if (step.uses && !/^[\w.-]+\/[\w./-]+@v\d+$/.test(step.uses)) problems.push(where(jobId, label, `action not pinned to a major version: ${step.uses}`));
      if (step.with && !step.uses) problems.push(where(jobId, label, "'with' without 'uses'"));
      for (const expression of [...expressions(step), ...(index === 0 ? expressions({ ...job, steps: [] }) : [])]) {
        const withoutStrings = expression.replace(/'[^']*'/g, "''");
        for (const [, word] of withoutStrings.matchAll(/(?<![\w.])([A-Za-z_][\w-]*)/g)) {
          if (!contexts.includes(word) && !functions.includes(word) && !["true", "false", "null"].includes(word))
            problems.push(where(jobId, label, `unknown name '${word}' in \${{ ${expression} }}`));
        }
        for (const [, id] of expression.matchAll(/\bsteps\.([\w-]+)/g))
          if (!stepIds.includes(id)) problems.push(where(jobId, label, `refers to step '${id}' that does not run before it`));
        for (const [, name] of expression.matchAll(/\binputs\.([\w-]+)/g))
          if (!inputs.includes(name)) problems.push(where(jobId, label, `unknown input '${name}'`));
        for (const [, name] of expression.matchAll(/\bsecrets\.([\w-]+)/g))
          if (!knownSecrets.includes(name)) problems.push(where(jobId, label, `unknown secret '${name}'`));
      }
      if (step.id) {
        if (stepIds.includes(step.id)) problems.push(where(jobId, label, `duplicate step id '${step.id}'`));
        stepIds.push(step.id);
      }
      if (typeof step.run === "string") {
        const script = step.run.replace(/\$\{\{.*?\}\}/g, "EXPRESSION");
        try {
          execFileSync("bash", ["-n"], { input: script, stdio: ["pipe", "ignore", "pipe"] });
        } catch (error: any) {
          problems.push(where(jobId, label, `shell syntax: ${error.stderr}`));
        }
        for (const [, target] of step.run.matchAll(/\bmake ([a-z][\w-]*)/g))
          if (!targets.includes(target)) problems.push(where(jobId, label, `no make target '${target}'`));
      }
    });
  }
  return problems;
}

function runs(job: Job): string {
  return job.steps.map((step) => step.run ?? "").join("\n");
}

test("every workflow passes the schema check", () => {
  const files = readdirSync(workflowDir).filter((f) => f.endsWith(".yml"));
  assert.deepEqual(files.sort(), ["deploy.yml", "pr-check.yml"]);
  for (const file of files) assert.deepEqual(checkWorkflow(file), []);
});

test("the checker finds the mistakes it exists for", () => {
  const bad = yaml.dump({
    name: "bad",
    on: { push: {} },
    jobs: {
      j: {
        "runs-on": "ubuntu-latest",
        needs: "nope",
        stepz: [],
        steps: [
          { uses: "actions/checkout@main" },
          { run: "echo ${{ steps.later.outputs.x }} ${{ secrets.LEAKED }} ${{ inputs.stage }}", uses: "a/b@v1" },
          { id: "later", run: "if then fi" },
          { run: "make no-such-target" },
        ],
      },
    },
  });
  const dir = mkdtempSync(path.join(tmpdir(), "kefir-workflows-"));
  writeFileSync(path.join(dir, "bad.yml"), bad);
  try {
    const problems = checkWorkflow("bad.yml", dir).join("\n");
    for (const expected of ["unknown key 'stepz'", "needs unknown job 'nope'", "not pinned", "exactly one of uses/run",
      "step 'later' that does not run before it", "unknown secret 'LEAKED'", "unknown input 'stage'", "shell syntax", "no make target 'no-such-target'"])
      assert.ok(problems.includes(expected), `missing: ${expected}\n${problems}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pr-check builds, runs make test, checks formatting and type-checks the infrastructure", () => {
  const workflow = load("pr-check.yml");
  assert.ok(workflow.on.pull_request);
  const all = Object.values(workflow.jobs).map(runs).join("\n");
  assert.match(all, /\bmake test\b/);
  assert.match(all, /clang-format --dry-run --Werror/);
  assert.match(all, /tsc --noEmit/);
  assert.match(all, /npm test/);
});

test("deploy goes to dev on push to main, to dev or prod by hand, and comments the outcome on the commit", () => {
  const workflow = load("deploy.yml");
  assert.deepEqual(workflow.on.push.branches, ["main"]);
  assert.deepEqual(workflow.on.workflow_dispatch.inputs.stage.options, ["dev", "prod"]);
  const job = workflow.jobs.deploy;
  const credentials = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
  assert.equal(credentials?.with["aws-access-key-id"], "${{ secrets.AWS_ACCESS_KEY_ID }}");
  assert.equal(credentials?.with["aws-secret-access-key"], "${{ secrets.AWS_SECRET_ACCESS_KEY }}");
  const script = runs(job);
  assert.ok(script.indexOf("make lambda-zip") < script.indexOf("sst deploy --stage"), "the zip is built before deploying");
  const comment = job.steps.at(-1)!;
  assert.equal(comment.if, "always()");
  assert.match(comment.with.script, /createCommitComment/);
});
