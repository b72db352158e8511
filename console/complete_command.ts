/**
 * Tab completion for the console's command names: only the first word of a line is a command, so
 * later words (arguments: job ids, folders, site names) get no candidates rather than wrong ones.
 * The word is the text before the cursor, so completing in the middle of a word uses what is typed
 * so far. Candidates are unique and sorted, so the listing on a double Tab reads predictably.
 */
export function completeCommand(
  words: readonly string[],
): (line: string, cursor: number) => string[] {
  const sorted = [...new Set(words)].filter((w) => w !== "").sort();
  return (line, cursor) => {
    const typed = line.slice(0, cursor).trimStart();
    if (/\s/.test(typed)) return [];
    return sorted.filter((w) => w.startsWith(typed));
  };
}
