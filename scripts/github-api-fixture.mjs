// Extracts the GitHub REST operations natfleet calls from GitHub's published API description
// (npm @octokit/openapi, too large to depend on) into test/fixtures/github-api.json, against
// which the fake GitHub server of the tests checks every request.
// Usage: node scripts/github-api-fixture.mjs <path to @octokit/openapi>/generated/api.github.com.deref.json
import { readFileSync, writeFileSync } from 'node:fs';

const OPERATIONS = ['issues/list-comments', 'issues/create-comment', 'issues/update-comment'];
const [source] = process.argv.slice(2);
if (!source) {
  console.error('usage: node scripts/github-api-fixture.mjs <api.github.com.deref.json>');
  process.exit(2);
}
const api = JSON.parse(readFileSync(source, 'utf8'));
const out = { source: `@octokit/openapi ${api.info.version}`, operations: [] };
for (const [path, item] of Object.entries(api.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (!OPERATIONS.includes(op.operationId)) continue;
    const ok = Object.keys(op.responses).find((s) => /^2\d\d$/.test(s));
    out.operations.push({
      operationId: op.operationId,
      method: method.toUpperCase(),
      path,
      parameters: (op.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        required: !!p.required,
        schema: p.schema,
      })),
      requestBody: op.requestBody?.content?.['application/json']?.schema ?? null,
      requestBodyRequired: !!op.requestBody?.required,
      success: Number(ok),
      responseRequired: op.responses[ok]?.content?.['application/json']?.schema?.required ?? [],
    });
  }
}
const missing = OPERATIONS.filter((id) => !out.operations.some((o) => o.operationId === id));
if (missing.length) throw new Error(`not in the description: ${missing.join(', ')}`);
out.operations.sort((a, b) => a.operationId.localeCompare(b.operationId));
writeFileSync(
  new URL('../test/fixtures/github-api.json', import.meta.url),
  JSON.stringify(out, null, 2) + '\n',
);
console.log(`wrote ${out.operations.length} operations from ${out.source}`);
