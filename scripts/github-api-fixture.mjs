// Extracts the GitHub REST operations natfleet calls from GitHub's published API description
// (npm @octokit/openapi, too large to depend on) into lab/fixtures/github-api.json, against
// which the fake GitHub server of the tests checks every request and every answer it gives.
// Usage: node scripts/github-api-fixture.mjs <path to @octokit/openapi>/generated/api.github.com.deref.json
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';

// The plan comment (deploy) and the state pull request (record-state).
const OPERATIONS = [
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'repos/get',
  'repos/get-content',
  'repos/create-or-update-file-contents',
  'git/get-ref',
  'git/create-ref',
  'git/update-ref',
  'pulls/list',
  'pulls/create',
  'pulls/update',
];
// How deep an answer's fields are kept: deeper objects (a pull request's base repository's
// owner, …) are left open. The answers the fake gives stay small; what they hold is checked.
const DEPTH = 2;

/**
 * An answer's schema reduced to the names and types of its fields, with no field required and
 * none undescribed: the fake may leave fields out, but not invent one or give it another type.
 */
function prune(s, depth) {
  if (!s || typeof s !== 'object') return {};
  const nullable = s.nullable ? { nullable: true } : {};
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return { anyOf: alternatives.map((a) => prune(a, depth)) };
  if (s.allOf) {
    const merged = { type: 'object', properties: {}, ...nullable };
    for (const part of s.allOf) Object.assign(merged.properties, part.properties ?? {});
    return prune(merged, depth);
  }
  if (s.type === 'array') return { type: 'array', ...nullable, items: prune(s.items, depth) };
  if (s.type === 'object' || s.properties) {
    const out = { type: 'object', ...nullable };
    if (depth === 0 || !s.properties) return out;
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, prune(v, depth - 1)]),
    );
    out.additionalProperties = false;
    return out;
  }
  if (!s.type) return {};
  return { type: s.type, ...(s.type ? nullable : {}), ...(s.enum ? { enum: s.enum } : {}) };
}

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
    const ok = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
    const answer = op.responses[ok[0]]?.content?.['application/json']?.schema;
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
      success: ok.map(Number),
      response: answer ? prune(answer, DEPTH) : null,
    });
  }
}
const missing = OPERATIONS.filter((id) => !out.operations.some((o) => o.operationId === id));
if (missing.length) throw new Error(`not in the description: ${missing.join(', ')}`);
out.operations.sort((a, b) => a.operationId.localeCompare(b.operationId));
const file = new URL('../lab/fixtures/github-api.json', import.meta.url);
const options = await prettier.resolveConfig(file);
writeFileSync(file, await prettier.format(JSON.stringify(out), { ...options, parser: 'json' }));
console.log(`wrote ${out.operations.length} operations from ${out.source}`);
