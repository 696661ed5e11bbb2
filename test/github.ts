// A small fake of GitHub's REST API on 127.0.0.1 for the issue comments natfleet writes. Each
// request is checked against GitHub's published description of the operation (extracted into
// test/fixtures/github-api.json by scripts/github-api-fixture.mjs); anything that does not
// match is answered 4xx and recorded in `violations`.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: { type?: string; format?: string; default?: unknown };
}
interface Operation {
  operationId: string;
  method: string;
  path: string;
  parameters: Parameter[];
  requestBody: object | null;
  requestBodyRequired: boolean;
  success: number;
  responseRequired: string[];
}

const API: { operations: Operation[] } = JSON.parse(
  readFileSync(new URL('./fixtures/github-api.json', import.meta.url), 'utf8'),
);

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
}

export interface FakeGitHub {
  url: string;
  comments: StoredComment[];
  requests: { operationId: string; method: string; path: string }[];
  violations: string[];
  stop(): Promise<void>;
}

function match(op: Operation, method: string, path: string): Record<string, string> | undefined {
  if (op.method !== method) return undefined;
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      op.path.replace(/\{(\w+)\}/g, (_, n: string) => {
        names.push(n);
        return '([^/]+)';
      }) +
      '$',
  );
  const m = re.exec(path);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
}

function typeOk(value: string, schema: Parameter['schema']): boolean {
  if (schema.type === 'integer') return /^\d+$/.test(value);
  if (schema.format === 'date-time') return !Number.isNaN(Date.parse(value));
  return true;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => resolve(data));
  });

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const ajv = new Ajv({ strict: false });
  const fake: Omit<FakeGitHub, 'url' | 'stop'> = { comments: [], requests: [], violations: [] };
  let nextId = 1000;
  const shape = (c: StoredComment, base: string) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/o/r/issues/comments/${c.id}`,
    html_url: `https://github.com/o/r/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/o/r/issues/${c.issue}`,
    body: c.body,
    user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

  const server: Server = createServer(async (req, res) => {
    const base = `http://${req.headers.host}`;
    const url = new URL(req.url ?? '/', base);
    const text = await read(req);
    const fail = (status: number, why: string) => {
      fake.violations.push(`${req.method} ${url.pathname}: ${why}`);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: why }));
    };
    let op: Operation | undefined;
    let params: Record<string, string> | undefined;
    for (const o of API.operations) {
      params = match(o, req.method ?? '', url.pathname);
      if (params) {
        op = o;
        break;
      }
    }
    if (!op || !params) return fail(404, 'no such operation in the API description');
    fake.requests.push({ operationId: op.operationId, method: op.method, path: url.pathname });
    if (!/^(token|Bearer) \S+$/.test(req.headers.authorization ?? ''))
      return fail(401, 'no token in the Authorization header');
    const query = Object.fromEntries(url.searchParams);
    for (const p of op.parameters) {
      const v = p.in === 'path' ? params[p.name] : p.in === 'query' ? query[p.name] : undefined;
      if (p.required && v === undefined) return fail(422, `missing ${p.in} parameter ${p.name}`);
      if (v !== undefined && !typeOk(v, p.schema))
        return fail(422, `${p.name}=${v} is not a ${p.schema.type}`);
    }
    for (const q of Object.keys(query)) {
      if (!op.parameters.some((p) => p.in === 'query' && p.name === q))
        return fail(422, `unknown query parameter ${q}`);
    }
    let body: Record<string, unknown> = {};
    if (op.requestBody) {
      if (!text && op.requestBodyRequired) return fail(422, 'missing JSON body');
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return fail(400, 'body is not JSON');
      }
      if (!ajv.validate(op.requestBody, body))
        return fail(422, `body: ${ajv.errorsText(ajv.errors)}`);
    }
    const send = (data: unknown) => {
      res.writeHead(op.success, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    switch (op.operationId) {
      case 'issues/list-comments': {
        const perPage = Number(query.per_page ?? 30);
        const page = Number(query.page ?? 1);
        const all = fake.comments.filter((c) => c.issue === Number(params.issue_number));
        return send(all.slice((page - 1) * perPage, page * perPage).map((c) => shape(c, base)));
      }
      case 'issues/create-comment': {
        const c = { id: nextId++, issue: Number(params.issue_number), body: String(body.body) };
        fake.comments.push(c);
        return send(shape(c, base));
      }
      case 'issues/update-comment': {
        const c = fake.comments.find((x) => x.id === Number(params.comment_id));
        if (!c) return fail(404, `no comment ${params.comment_id}`);
        c.body = String(body.body);
        return send(shape(c, base));
      }
    }
    return fail(501, `${op.operationId} is described but not faked`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    ...fake,
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
