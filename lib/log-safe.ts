// Text from input — a reason, a zone or stack name, a value of natfleet.yml, an AWS error
// message — is data in a GitHub Actions log, never a command. The runner reads every line a
// step writes to stdout and runs it as a workflow command when, after leading whitespace, it
// starts with `::` (`::add-mask::`, `::stop-commands::<token>`, which silences every later
// command until `::<token>::`, …) or with the older `##[`. A line break inside a value would
// start such a line, and a carriage return counts as a line break.
//
// @actions/core's error/warning/notice/setFailed escape their own message (escapeData: % → %25,
// CR → %0D, LF → %0A); info() and plain stdout do not. Everything natfleet writes to stdout
// goes through logSafe.

const COMMAND_START = /^(\s*)(::|##\[)/;
// Other C0 controls and DEL (escape sequences could rewrite what a terminal shows); tab stays.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const percent = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * The text as log lines no runner reads as a command: CR/LF and CR become LF, and a line that
 * would start a command has its first character percent-encoded (`::x` → `%3A:x`, `##[x` →
 * `%23#[x`); other control characters are percent-encoded. Ordinary text is unchanged.
 */
export function logSafe(text: string): string {
  return String(text)
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line
        .replace(CONTROL, percent)
        .replace(
          COMMAND_START,
          (_m, space: string, start: string) => `${space}${percent(start[0]!)}${start.slice(1)}`,
        ),
    )
    .join('\n');
}
