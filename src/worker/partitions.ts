/** Parses `--partitions 0-3,6,8-9` into the sorted, distinct partition numbers. */
export function parsePartitions(text: string): number[] {
  const partitions = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) throw new Error(`--partitions takes numbers and ranges such as 0-3 or 0,2,5-7; "${part}" is neither`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw new Error(`--partitions range ${part.trim()} runs backwards; write ${last}-${first}`);
    for (let partition = first; partition <= last; partition += 1) partitions.add(partition);
  }
  return [...partitions].sort((a, b) => a - b);
}
