/** The shell commands of a Markdown page: every line of its ```sh blocks, continuations joined, comments dropped. */
export interface DocumentedCommand {
  /** The index of the ```sh block it is in. */
  block: number;
  command: string;
}

export function documentedCommands(markdown: string): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  blocks.forEach((text, block) => {
    const joined = text.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const command = withoutComment(line).trim();
      if (command) commands.push({ block, command });
    }
  });
  return commands;
}

/** A line without its trailing `# comment` (a # inside quotes stays). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(line[index - 1]!))) {
      return line.slice(0, index);
    }
  }
  return line;
}
