// @actions/core as natfleet's actions use it, kept in memory: inputs given, outputs, the
// failure, the log and the job summary collected (the in-process action tests).
export function fakeCore(inputs: Record<string, string>) {
  const out = {
    outputs: {} as Record<string, string>,
    failed: undefined as string | undefined,
    log: [] as string[],
    summary: '',
    /** How many times the summary was written. */
    written: 0,
  };
  const summary = {
    addHeading(t: string) {
      out.summary += `### ${t}\n`;
      return summary;
    },
    addRaw(t: string) {
      out.summary += t;
      return summary;
    },
    addLink(text: string, href: string) {
      out.summary += `[${text}](${href})`;
      return summary;
    },
    async write() {
      out.written++;
      return summary;
    },
  };
  const core = {
    getInput: (n: string) => inputs[n] ?? '',
    setOutput: (n: string, v: unknown) => void (out.outputs[n] = String(v)),
    setFailed: (m: string | Error) => void (out.failed = String(m)),
    error: (m: string | Error) => void out.log.push(`error: ${String(m)}`),
    warning: (m: string | Error) => void out.log.push(`warning: ${String(m)}`),
    info: (m: string) => void out.log.push(m),
    setSecret: () => undefined,
    summary,
  };
  return { core, out };
}
