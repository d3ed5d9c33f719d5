// The graphql-http server audits (GraphQL over HTTP conformance) against a running gateway.
//
//   node tests/edge/audit.mjs http://127.0.0.1:8000/graphql
//
// graphql-http is installed by CI (`npm install --prefix .ci/audit graphql-http@<pinned>`);
// GRAPHQL_HTTP_PREFIX points elsewhere. Prints one line per audit; exits 1 if any is not ok
// (MAY and SHOULD included: the gateway aims at all of them).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.env.GRAPHQL_HTTP_PREFIX ?? path.join(here, '..', '..', '.ci', 'audit');
const require = createRequire(path.join(prefix, 'package.json'));
const { serverAudits } = require('graphql-http');

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const audits = serverAudits({ url });
let failed = 0;
for (const audit of audits) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    console.log(`ok    ${result.id} ${result.name}`);
    continue;
  }
  failed += 1;
  let detail = result.reason;
  if (result.response) {
    const body = await result.response.text().catch(() => '');
    detail += ` [${result.response.status} ${result.response.headers.get('content-type')}] ${body.slice(0, 300)}`;
  }
  console.log(`${result.status.padEnd(5)} ${result.id} ${result.name}: ${detail}`);
}
console.log(`${audits.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
