// Starts s3rver (an S3-API server) for the C++ tests: `node s3rver-main.mjs <port> <directory>`, port 0 for any.
// Prints one line `listening <port>` once it accepts requests, and runs until killed.
//
// s3rver stores objects but ignores the `x-amz-tagging` header of PutObject, which S3 turns into the object's
// tag set (kefir marks fresh uploads `kefir=pending` that way). The middleware below applies that header the
// way S3 does, through s3rver's own tagging store, so the tests see S3's behaviour.
import { createRequire } from 'node:module';
import S3rver from 's3rver';

const require = createRequire(import.meta.url);
const { TaggingConfiguration } = require('s3rver/lib/models/config');

const [portArgument, directory] = process.argv.slice(2);
if (portArgument === undefined || !directory) {
  console.error('usage: node s3rver-main.mjs <port> <directory>');
  process.exit(2);
}

const escapeXml = (text) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

function taggingXml(header) {
  const tags = new URLSearchParams(header);
  let xml = '<Tagging><TagSet>';
  for (const [key, value] of tags) xml += `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></Tag>`;
  return `${xml}</TagSet></Tagging>`;
}

const server = new S3rver({ port: Number(portArgument), address: '127.0.0.1', directory, silent: true });

// Path-style object PUT without a subresource: /<bucket>/<key>.
server.middleware.unshift(async (ctx, next) => {
  const tagging = ctx.get('x-amz-tagging');
  await next();
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  if (ctx.method !== 'PUT' || ctx.status !== 200 || !match || Object.keys(ctx.query).some((k) => !k.startsWith('X-Amz-')))
    return;
  const [, bucket, key] = match;
  const decodedKey = decodeURIComponent(key);
  if (tagging) {
    await ctx.app.store.putSubresource(bucket, decodedKey, new TaggingConfiguration(taggingXml(tagging)));
  } else {
    await ctx.app.store.deleteSubresource(bucket, decodedKey, 'tagging');
  }
});

const { port } = await server.run();
console.log(`listening ${port}`);
