// DynamoDB Local (AWS's emulator, the jar in amplify-dynamodb-simulator) and s3rver on 127.0.0.1, with the table
// (PK/SK, GSI1, TTL, as infra/ and `kefir create-table` make it) and the bucket created: the environment that
// runs `kefir lambda` with STORE=dynamodb BLOBS=s3. Local engines accept any signature; s3rver wants S3RVER keys.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const credentials = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function dynamodb(endpoint, action, body) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${action}`,
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=S3RVER/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${action}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function until(check, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startAwsPeers() {
  const directory = mkdtempSync(path.join(tmpdir(), 'kefir-aws-peers-'));
  const emulator = path.join(here, 'node_modules/amplify-dynamodb-simulator/emulator');
  const dynamoPort = await freePort();
  const java = spawn('java', [`-Djava.library.path=${emulator}/DynamoDBLocal_lib`, '-jar', `${emulator}/DynamoDBLocal.jar`,
    '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(dynamoPort)], { stdio: 'ignore' });
  const s3 = spawn(process.execPath, ['--openssl-legacy-provider', path.join(here, 's3rver-main.mjs'), '0', path.join(directory, 's3')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const s3Port = await new Promise((resolve, reject) => {
    let out = '';
    s3.stdout.on('data', (data) => {
      out += data;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    s3.on('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  await until(async () => (await dynamodb(dynamoEndpoint, 'ListTables', {})).TableNames !== undefined, 'DynamoDB Local');

  const suffix = randomBytes(4).toString('hex');
  const table = `kefir-app-test-${suffix}-table`;
  const bucket = `kefir-app-test-${suffix}-photos`;
  const key = (name, type) => ({ AttributeName: name, KeyType: type });
  await dynamodb(dynamoEndpoint, 'CreateTable', {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI1SK'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [key('PK', 'HASH'), key('SK', 'RANGE')],
    GlobalSecondaryIndexes: [{ IndexName: 'GSI1', KeySchema: [key('GSI1PK', 'HASH'), key('GSI1SK', 'RANGE')], Projection: { ProjectionType: 'ALL' } }],
  });
  await dynamodb(dynamoEndpoint, 'UpdateTimeToLive', { TableName: table, TimeToLiveSpecification: { AttributeName: 'TTL', Enabled: true } });
  const created = await fetch(`${s3Endpoint}/${bucket}`, { method: 'PUT' });
  if (!created.ok) throw new Error(`CreateBucket: ${created.status} ${await created.text()}`);

  return {
    env: {
      ...credentials,
      STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynamoEndpoint, TABLE_NAME: table,
      BLOBS: 's3', S3_ENDPOINT: s3Endpoint, BUCKET_NAME: bucket,
    },
    async stop() {
      java.kill('SIGKILL');
      s3.kill('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
