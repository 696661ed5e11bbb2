// A small in-memory GitHub REST API on 127.0.0.1: one repository with branches, files, pull
// requests and issue comments, and a token whose permissions a test chooses. Every request is
// checked against GitHub's published description of its operation, and every answer the fake
// gives too (lab/fixtures/github-api.json, from scripts/github-api-fixture.mjs; the lab uses it too): a request the
// description does not allow is answered 4xx and recorded in `violations`, as is an answer
// with a field GitHub does not have. @actions/github sends requests with undici's fetch, which
// HTTP mocking libraries do not see; a real server does, the committed bundles included.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import { fixturePath } from './paths.js';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: { type?: string; format?: string; enum?: string[] };
}
interface Operation {
  operationId: string;
  method: string;
  path: string;
  parameters: Parameter[];
  requestBody: object | null;
  requestBodyRequired: boolean;
  success: number[];
  response: object | null;
}

/** GitHub's description of the operations natfleet calls, read when a fake first starts. */
let api: { operations: Operation[] } | undefined;
const API = () =>
  (api ??= JSON.parse(readFileSync(fixturePath('github-api.json'), 'utf8')) as {
    operations: Operation[];
  });

export type Access = 'none' | 'read' | 'write';

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** Files on the default branch, main. */
  files?: Record<string, string>;
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  token: string;
  /** What the token may do; `pullRequests` covers comments on pull requests too. */
  permissions: { contents: Access; pullRequests: Access };
  /** Files per branch. */
  branches: Map<string, Map<string, string>>;
  pulls: FakePull[];
  comments: StoredComment[];
  requests: { operationId: string; method: string; path: string }[];
  violations: string[];
  /**
   * A fault to answer instead of the operation (5xx, 429, a secondary rate limit), asked per
   * request after it was checked; undefined: act as GitHub.
   */
  fault?: (
    operationId: string,
  ) => { status: number; message: string; headers?: Record<string, string> } | undefined;
  stop(): Promise<void>;
}

/** Which permission each operation needs; reading the repository itself needs none. */
const NEEDS: Record<string, ['contents' | 'pullRequests', Access] | undefined> = {
  'repos/get': undefined,
  'repos/get-content': ['contents', 'read'],
  'repos/create-or-update-file-contents': ['contents', 'write'],
  'git/get-ref': ['contents', 'read'],
  'git/create-ref': ['contents', 'write'],
  'git/update-ref': ['contents', 'write'],
  'pulls/list': ['pullRequests', 'read'],
  'pulls/create': ['pullRequests', 'write'],
  'pulls/update': ['pullRequests', 'write'],
  'issues/list-comments': ['pullRequests', 'read'],
  'issues/create-comment': ['pullRequests', 'write'],
  'issues/update-comment': ['pullRequests', 'write'],
};

/** The path parameters of `op` in `path`; a ref or a file path may hold slashes. */
function match(op: Operation, method: string, path: string): Record<string, string> | undefined {
  if (op.method !== method) return undefined;
  const names: string[] = [];
  const pattern = op.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(name);
      return name === 'path' || name === 'ref' ? '(.+)' : '([^/]+)';
    })
    .join('');
  const m = new RegExp(`^${pattern}$`).exec(path);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
}

function typeOk(value: string, schema: Parameter['schema']): boolean {
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.type === 'integer') return /^\d+$/.test(value);
  if (schema.type === 'boolean') return value === 'true' || value === 'false';
  if (schema.format === 'date-time') return !Number.isNaN(Date.parse(value));
  return true;
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

interface Answer {
  status: number;
  data: unknown;
  headers?: Record<string, string>;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  // Formats (uri, date-time, …) are not checked: ajv knows none without ajv-formats.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const answers = new Map<string, ValidateFunction>();
  const gh: Omit<FakeGitHub, 'url' | 'stop' | 'fault'> & Pick<FakeGitHub, 'fault'> = {
    owner: options.owner ?? 'o',
    repo: options.repo ?? 'r',
    token: options.token ?? 'ghs_test',
    permissions: { contents: 'write', pullRequests: 'write' },
    branches: new Map([['main', new Map(Object.entries(options.files ?? {}))]]),
    pulls: [],
    comments: [],
    requests: [],
    violations: [],
  };
  let url = '';
  let nextComment = 1000;
  const commit = (branch: string) =>
    sha(JSON.stringify([branch, ...(gh.branches.get(branch)?.entries() ?? [])]));
  const repoUrl = () => `${url}/repos/${gh.owner}/${gh.repo}`;
  const ok = (data: unknown, status = 200): Answer => ({ status, data });
  const no = (status: number, message: string): Answer => ({ status, data: { message } });
  const branchOf = (ref: string) => ref.replace(/^(refs\/)?heads\//, '');
  const refAnswer = (branch: string) => ({
    ref: `refs/heads/${branch}`,
    node_id: `REF_${branch}`,
    url: `${repoUrl()}/git/refs/heads/${branch}`,
    object: { type: 'commit', sha: commit(branch), url: `${repoUrl()}/git/commits/x` },
  });
  const pullAnswer = (p: FakePull) => ({
    url: `${repoUrl()}/pulls/${p.number}`,
    id: 5000 + p.number,
    node_id: `PR_${p.number}`,
    html_url: p.html_url,
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    head: { ref: p.head, label: `${gh.owner}:${p.head}`, sha: commit(p.head) },
    base: { ref: p.base, label: `${gh.owner}:${p.base}`, sha: commit(p.base) },
  });
  const commentAnswer = (c: StoredComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${repoUrl()}/issues/comments/${c.id}`,
    html_url: `https://github.com/${gh.owner}/${gh.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${repoUrl()}/issues/${c.issue}`,
    body: c.body,
    user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

  /** What GitHub would do; `p` holds the path parameters, `q` the query, `b` the body. */
  function act(
    id: string,
    p: Record<string, string>,
    q: Record<string, string>,
    b: Record<string, unknown>,
  ): Answer {
    switch (id) {
      case 'repos/get':
        return ok({
          id: 1,
          name: gh.repo,
          full_name: `${gh.owner}/${gh.repo}`,
          default_branch: 'main',
        });
      case 'repos/get-content': {
        const text = gh.branches.get(branchOf(q.ref ?? 'main'))?.get(p.path!);
        if (text === undefined) return no(404, 'Not Found');
        return ok({
          type: 'file',
          encoding: 'base64',
          name: p.path!.split('/').pop(),
          path: p.path,
          sha: sha(text),
          size: Buffer.byteLength(text),
          content: Buffer.from(text).toString('base64'),
        });
      }
      case 'repos/create-or-update-file-contents': {
        const branch = String(b.branch ?? 'main');
        const files = gh.branches.get(branch);
        if (!files) return no(404, `Branch ${branch} not found`);
        const old = files.get(p.path!);
        if (old !== undefined && b.sha !== sha(old)) {
          return no(409, `${p.path} does not match ${String(b.sha)}`);
        }
        if (old === undefined && b.sha) return no(422, 'sha given for a new file');
        const text = Buffer.from(String(b.content), 'base64').toString('utf8');
        files.set(p.path!, text);
        return ok(
          {
            content: { name: p.path!.split('/').pop(), path: p.path, sha: sha(text) },
            commit: { sha: commit(branch), message: b.message },
          },
          old === undefined ? 201 : 200,
        );
      }
      case 'git/get-ref': {
        const branch = branchOf(p.ref!);
        return gh.branches.has(branch) ? ok(refAnswer(branch)) : no(404, 'Not Found');
      }
      case 'git/create-ref': {
        const branch = branchOf(String(b.ref));
        const from = [...gh.branches.keys()].find((k) => commit(k) === b.sha);
        if (!from) return no(422, 'Object does not exist');
        if (gh.branches.has(branch)) return no(422, 'Reference already exists');
        gh.branches.set(branch, new Map(gh.branches.get(from)!));
        return ok(refAnswer(branch), 201);
      }
      case 'git/update-ref': {
        const branch = branchOf(p.ref!);
        const from = [...gh.branches.keys()].find((k) => commit(k) === b.sha);
        if (!from || !gh.branches.has(branch)) return no(422, 'Reference does not exist');
        gh.branches.set(branch, new Map(gh.branches.get(from)!));
        return ok(refAnswer(branch));
      }
      case 'pulls/list': {
        const state = q.state ?? 'open';
        return ok(
          gh.pulls
            .filter((x) => !q.head || `${gh.owner}:${x.head}` === q.head)
            .filter((x) => state === 'all' || x.state === state)
            .map(pullAnswer),
        );
      }
      case 'pulls/create': {
        const head = String(b.head);
        if (!gh.branches.has(head)) return no(422, `head ${head} not found`);
        if (gh.pulls.some((x) => x.head === head && x.state === 'open')) {
          return no(422, `A pull request already exists for ${gh.owner}:${head}.`);
        }
        const number = gh.pulls.length + 1;
        const pr: FakePull = {
          number,
          title: String(b.title),
          body: String(b.body ?? ''),
          head,
          base: String(b.base),
          state: 'open',
          html_url: `https://github.com/${gh.owner}/${gh.repo}/pull/${number}`,
        };
        gh.pulls.push(pr);
        return ok(pullAnswer(pr), 201);
      }
      case 'pulls/update': {
        const pr = gh.pulls.find((x) => x.number === Number(p.pull_number));
        if (!pr) return no(404, 'Not Found');
        if (b.title !== undefined) pr.title = String(b.title);
        if (b.body !== undefined) pr.body = String(b.body);
        if (b.state === 'open' || b.state === 'closed') pr.state = b.state;
        return ok(pullAnswer(pr));
      }
      case 'issues/list-comments': {
        const perPage = Number(q.per_page ?? 30);
        const page = Number(q.page ?? 1);
        const all = gh.comments.filter((c) => c.issue === Number(p.issue_number));
        return ok(all.slice((page - 1) * perPage, page * perPage).map(commentAnswer));
      }
      case 'issues/create-comment': {
        const c = { id: nextComment++, issue: Number(p.issue_number), body: String(b.body) };
        gh.comments.push(c);
        return ok(commentAnswer(c), 201);
      }
      case 'issues/update-comment': {
        const c = gh.comments.find((x) => x.id === Number(p.comment_id));
        if (!c) return no(404, 'Not Found');
        c.body = String(b.body);
        return ok(commentAnswer(c));
      }
    }
    return no(501, `${id} is described but not faked`);
  }

  /** Checks the request against the description, then acts. */
  function handle(req: IncomingMessage, text: string): Answer {
    const u = new URL(req.url ?? '/', 'http://x');
    const violation = (status: number, why: string): Answer => {
      gh.violations.push(`${req.method} ${u.pathname}: ${why}`);
      return no(status, why);
    };
    let op: Operation | undefined;
    let params: Record<string, string> | undefined;
    for (const o of API().operations) {
      params = match(o, req.method ?? '', u.pathname);
      if (params) {
        op = o;
        break;
      }
    }
    if (!op || !params) return violation(404, 'no such operation in the API description');
    gh.requests.push({ operationId: op.operationId, method: op.method, path: u.pathname });
    if (req.headers.authorization !== `token ${gh.token}`) return no(401, 'Bad credentials');
    const query = Object.fromEntries(u.searchParams);
    for (const p of op.parameters) {
      const v = p.in === 'path' ? params[p.name] : p.in === 'query' ? query[p.name] : undefined;
      if (p.required && v === undefined)
        return violation(422, `missing ${p.in} parameter ${p.name}`);
      if (v !== undefined && !typeOk(v, p.schema)) {
        return violation(
          422,
          `${p.name}=${v} is not a ${p.schema.enum?.join('|') ?? p.schema.type}`,
        );
      }
    }
    for (const q of Object.keys(query)) {
      if (!op.parameters.some((p) => p.in === 'query' && p.name === q))
        return violation(422, `unknown query parameter ${q}`);
    }
    let body: Record<string, unknown> = {};
    if (op.requestBody) {
      if (!text && op.requestBodyRequired) return violation(422, 'missing JSON body');
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return violation(400, 'body is not JSON');
      }
      if (!ajv.validate(op.requestBody, body)) {
        return violation(422, `body: ${ajv.errorsText(ajv.errors)}`);
      }
    } else if (text) {
      return violation(422, 'a body where the operation takes none');
    }
    if (params.owner !== gh.owner || params.repo !== gh.repo) return no(404, 'Not Found');
    const need = NEEDS[op.operationId];
    if (need) {
      const [what, level] = need;
      const has = gh.permissions[what];
      if (has === 'none' || (level === 'write' && has !== 'write')) {
        return no(403, 'Resource not accessible by integration');
      }
    }
    const fault = gh.fault?.(op.operationId);
    if (fault)
      return {
        status: fault.status,
        data: { message: fault.message },
        headers: fault.headers ?? {},
      };
    const answer = act(op.operationId, params, query, body);
    if (answer.status < 300) {
      if (!op.success.includes(answer.status)) {
        gh.violations.push(`${op.operationId}: answered ${answer.status}, described ${op.success}`);
      }
      if (op.response) {
        let check = answers.get(op.operationId);
        if (!check) answers.set(op.operationId, (check = ajv.compile(op.response)));
        if (!check(answer.data)) {
          gh.violations.push(
            `${op.operationId}: the fake's answer is not GitHub's: ${ajv.errorsText(check.errors)}`,
          );
        }
      }
    }
    return answer;
  }

  const server: Server = createServer((req, res) => {
    read(req)
      .then((text) => handle(req, text))
      .catch((e: unknown) => {
        gh.violations.push(`${req.method} ${req.url}: the fake failed: ${String(e)}`);
        return no(500, String(e));
      })
      .then(({ status, data, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(data));
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const stop = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections(); // undici keeps them alive; close() alone would wait
    });
  return Object.assign(gh, { url, stop });
}
