// SSM RunCommand as the NAT instances would answer it, for the workflow tests (moto has no SSM
// agent). Wraps the runner's SSM client: SendCommand and GetCommandInvocation are answered by
// `answer`, every other call goes to moto.
import type { Sender } from '../lib/workflows/sdk.js';
import { PATH_COMMENT } from '../lib/workflows/path.js';

export interface Sent {
  instance: string;
  /** The command's lines, joined with newlines. */
  command: string;
  comment: string;
  /** 1 for the first command sent. */
  n: number;
}

/**
 * How the instance answers a command: its final status (after `pending` polls that answer
 * InProgress; `pending: Infinity` never ends), its stderr; or, with `refuse`, SendCommand fails
 * with that error (e.g. InvalidInstanceId: the agent is not registered yet).
 */
export interface Answer {
  status?: string;
  stderr?: string;
  pending?: number;
  refuse?: string;
}

export const isPathCheck = (s: Sent) => s.comment === PATH_COMMENT;

export class RunCommandDouble {
  sent: Sent[] = [];
  /** SendCommand calls refused, and GetCommandInvocation calls answered. */
  refused = 0;
  polls = 0;
  private commands = new Map<string, { answer: Answer; polls: number }>();
  constructor(private readonly answer: (s: Sent) => Answer | string) {}

  wrap = (real: Sender): Sender => ({
    send: async (c: unknown) => {
      const name = (c as object).constructor.name;
      const input = (c as { input: Record<string, unknown> }).input;
      if (name === 'SendCommandCommand') {
        const sent: Sent = {
          instance: (input.InstanceIds as string[])[0]!,
          command: (input.Parameters as { commands: string[] }).commands.join('\n'),
          comment: String(input.Comment ?? ''),
          n: this.sent.length + this.refused + 1,
        };
        const a = this.answer(sent);
        const answer = typeof a === 'string' ? { status: a } : a;
        if (answer.refuse) {
          this.refused++;
          throw Object.assign(new Error(`${answer.refuse}: ${sent.instance}`), {
            name: answer.refuse,
          });
        }
        this.sent.push(sent);
        const id = `cmd-${this.sent.length}`;
        this.commands.set(id, { answer, polls: 0 });
        return { Command: { CommandId: id } };
      }
      if (name === 'GetCommandInvocationCommand') {
        this.polls++;
        const cmd = this.commands.get(input.CommandId as string)!;
        if (cmd.polls++ < (cmd.answer.pending ?? 0))
          return { Status: 'InProgress', StandardErrorContent: '' };
        const status = cmd.answer.status ?? 'Success';
        return {
          Status: status,
          StandardErrorContent:
            cmd.answer.stderr ??
            (status === 'Success' ? '' : 'natfleet: ERROR: no complete stream'),
        };
      }
      return real.send(c);
    },
  });
}
