// A small in-memory GitHub REST API on 127.0.0.1: the endpoints the record's pull-request flow
// uses, with a token whose permissions a test chooses. @actions/github sends requests with
// undici's fetch, which HTTP mocking libraries do not see; a real server does, bundles included.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Access = 'none' | 'read' | 'write';

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  token: string;
  permissions: { contents: Access; pullRequests: Access };
  /** Files per branch. */
  branches: Map<string, Map<string, string>>;
  pulls: FakePull[];
  requests: string[];
  stop(): Promise<void>;
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

export async function startFakeGitHub(files: Record<string, string> = {}): Promise<FakeGitHub> {
  const gh: Omit<FakeGitHub, 'url' | 'stop'> = {
    owner: 'acme',
    repo: 'fleet',
    token: 'ghs_faketoken',
    permissions: { contents: 'write', pullRequests: 'write' },
    branches: new Map([['main', new Map(Object.entries(files))]]),
    pulls: [],
    requests: [],
  };
  const commit = (branch: string) =>
    sha(JSON.stringify([branch, ...(gh.branches.get(branch)?.entries() ?? [])]));
  let url = '';

  function send(res: ServerResponse, status: number, data: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(data));
  }
  const denied = (res: ServerResponse) =>
    send(res, 403, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest',
    });
  const missing = (res: ServerResponse) => send(res, 404, { message: 'Not Found' });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url!, 'http://x');
    const path = decodeURIComponent(u.pathname);
    gh.requests.push(`${req.method} ${path}${u.search}`);
    if (req.headers.authorization !== `token ${gh.token}`) {
      return send(res, 401, { message: 'Bad credentials' });
    }
    const prefix = `/repos/${gh.owner}/${gh.repo}`;
    if (!path.startsWith(prefix)) return missing(res);
    const rest = path.slice(prefix.length);
    const can = (what: 'contents' | 'pullRequests', need: Access) =>
      gh.permissions[what] === 'write' || (need === 'read' && gh.permissions[what] === 'read');
    const m = req.method;
    let match: RegExpMatchArray | null;

    if (m === 'GET' && rest === '') {
      return send(res, 200, { default_branch: 'main', full_name: `${gh.owner}/${gh.repo}` });
    }
    if ((match = rest.match(/^\/contents\/(.+)$/))) {
      const file = match[1]!;
      if (m === 'GET') {
        if (!can('contents', 'read')) return denied(res);
        const text = gh.branches.get(u.searchParams.get('ref') ?? 'main')?.get(file);
        if (text === undefined) return missing(res);
        return send(res, 200, {
          type: 'file',
          path: file,
          sha: sha(text),
          encoding: 'base64',
          content: Buffer.from(text).toString('base64'),
        });
      }
      if (m === 'PUT') {
        if (!can('contents', 'write')) return denied(res);
        const b = await body(req);
        const files = gh.branches.get(String(b.branch));
        if (!files) return missing(res);
        const old = files.get(file);
        if (old !== undefined && b.sha !== sha(old)) {
          return send(res, 409, { message: `${file} does not match ${String(b.sha)}` });
        }
        if (old === undefined && b.sha)
          return send(res, 422, { message: 'sha given for a new file' });
        files.set(file, Buffer.from(String(b.content), 'base64').toString('utf8'));
        return send(res, old === undefined ? 201 : 200, {
          content: { sha: sha(files.get(file)!) },
          commit: { sha: commit(String(b.branch)) },
        });
      }
    }
    if ((match = rest.match(/^\/git\/ref\/heads\/(.+)$/)) && m === 'GET') {
      if (!can('contents', 'read')) return denied(res);
      const branch = match[1]!;
      if (!gh.branches.has(branch)) return missing(res);
      return send(res, 200, { ref: `refs/heads/${branch}`, object: { sha: commit(branch) } });
    }
    if (rest === '/git/refs' && m === 'POST') {
      if (!can('contents', 'write')) return denied(res);
      const b = await body(req);
      const branch = String(b.ref).replace(/^refs\/heads\//, '');
      const from = [...gh.branches.keys()].find((k) => commit(k) === b.sha);
      if (!from) return send(res, 422, { message: 'Object does not exist' });
      if (gh.branches.has(branch)) return send(res, 422, { message: 'Reference already exists' });
      gh.branches.set(branch, new Map(gh.branches.get(from)!));
      return send(res, 201, { ref: b.ref, object: { sha: b.sha } });
    }
    if ((match = rest.match(/^\/git\/refs\/heads\/(.+)$/)) && m === 'PATCH') {
      if (!can('contents', 'write')) return denied(res);
      const b = await body(req);
      const from = [...gh.branches.keys()].find((k) => commit(k) === b.sha);
      if (!from || !gh.branches.has(match[1]!)) return send(res, 422, { message: 'bad ref' });
      gh.branches.set(match[1]!, new Map(gh.branches.get(from)!));
      return send(res, 200, { ref: `refs/heads/${match[1]}`, object: { sha: b.sha } });
    }
    if (rest === '/pulls' && m === 'GET') {
      if (!can('pullRequests', 'read')) return denied(res);
      const head = u.searchParams.get('head');
      const state = u.searchParams.get('state') ?? 'open';
      return send(
        res,
        200,
        gh.pulls.filter(
          (p) =>
            (!head || `${gh.owner}:${p.head}` === head) && (state === 'all' || p.state === state),
        ),
      );
    }
    if (rest === '/pulls' && m === 'POST') {
      if (!can('pullRequests', 'write')) return denied(res);
      const b = await body(req);
      if (!gh.branches.has(String(b.head))) return send(res, 422, { message: 'head not found' });
      const number = gh.pulls.length + 1;
      const pr: FakePull = {
        number,
        title: String(b.title),
        body: String(b.body),
        head: String(b.head),
        base: String(b.base),
        state: 'open',
        html_url: `${url}/${gh.owner}/${gh.repo}/pull/${number}`,
      };
      gh.pulls.push(pr);
      return send(res, 201, pr);
    }
    if ((match = rest.match(/^\/pulls\/(\d+)$/)) && m === 'PATCH') {
      if (!can('pullRequests', 'write')) return denied(res);
      const pr = gh.pulls.find((p) => p.number === Number(match![1]));
      if (!pr) return missing(res);
      Object.assign(pr, await body(req));
      return send(res, 200, pr);
    }
    return missing(res);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, { message: String(e) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const stop = () => new Promise<void>((r) => server.close(() => r()));
  return Object.assign(gh, { url, stop });
}
