import { afterEach, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

describe('vigil verify beside a running server', () => {
  it('finds the store intact while records and Vigil\'s own actions keep arriving', async () => {
    server = await startServer(['--demo']);
    const dataDir = /\(data in (\S+)\)/.exec(server.output())?.[1];
    expect(dataDir).toBeDefined();
    const verdicts = new Set<string>();
    // Verify over and over while the demo replay runs (alerts open, their transitions are recorded).
    for (let round = 0; round < 3 || !server.output().includes('Replayed the demo cluster'); round++) {
      const result = await vigil(['verify', '--data-dir', dataDir as string]);
      verdicts.add(`${result.code} ${/result: .*/.exec(result.stdout)?.[0]}${/problem: .*/.exec(result.stdout)?.[0] ?? ''}`);
      if (round > 60) throw new Error(`the demo replay did not finish:\n${server.output()}`);
    }
    expect([...verdicts]).toEqual(['0 result: intact']);
  });
});
