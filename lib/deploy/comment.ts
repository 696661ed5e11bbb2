// One plan comment per environment on a pull request: found by its hidden marker, then updated
// in place, or created. Takes any Octokit-shaped client (the action passes @actions/github's).
import { planCommentMarker } from '../names.js';

interface Comment {
  id: number;
  body?: string | null;
}

export interface IssuesApi {
  listComments(p: {
    owner: string;
    repo: string;
    issue_number: number;
    per_page: number;
    page: number;
  }): Promise<{ data: Comment[] }>;
  createComment(p: {
    owner: string;
    repo: string;
    issue_number: number;
    body: string;
  }): Promise<{ data: Comment & { html_url?: string } }>;
  updateComment(p: {
    owner: string;
    repo: string;
    comment_id: number;
    body: string;
  }): Promise<{ data: Comment & { html_url?: string } }>;
}

export interface Where {
  owner: string;
  repo: string;
  issue: number;
}

/** Creates or updates the environment's comment; returns what happened and its URL. */
export async function upsertPlanComment(
  api: IssuesApi,
  w: Where,
  env: string,
  body: string,
): Promise<{ action: 'created' | 'updated'; id: number; url?: string }> {
  const marker = planCommentMarker(env);
  let found: Comment | undefined;
  for (let page = 1; page <= 50 && !found; page++) {
    const { data } = await api.listComments({
      owner: w.owner,
      repo: w.repo,
      issue_number: w.issue,
      per_page: 100,
      page,
    });
    found = data.find((c) => c.body?.startsWith(marker));
    if (data.length < 100) break;
  }
  const repo = { owner: w.owner, repo: w.repo };
  const { data } = found
    ? await api.updateComment({ ...repo, comment_id: found.id, body })
    : await api.createComment({ ...repo, issue_number: w.issue, body });
  return { action: found ? 'updated' : 'created', id: data.id, url: data.html_url };
}
