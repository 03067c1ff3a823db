/**
 * Whether output may carry escape codes (colour, cursor movement): only on a
 * terminal, and never when NO_COLOR is set to a non-empty value
 * (https://no-color.org). Logs piped to a file or a CI console stay plain.
 */
export function escapesAllowed(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}
