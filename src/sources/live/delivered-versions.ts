/**
 * Which version (resourceVersion) of each Event was stored, for the Events the server still
 * holds: a relist or a repeated frame of a stored version is skipped. Changes are staged per
 * batch and take effect only once the batch is stored, so a batch the store refused is retried.
 */
export class DeliveredVersions {
  private readonly stored = new Map<string, string>();
  private staged = new Map<string, string | undefined>();

  /** Starts a batch: what an earlier, failed batch staged is forgotten. */
  begin(): void {
    this.staged = new Map();
  }

  isStored(uid: string, version: string): boolean {
    return (this.staged.has(uid) ? this.staged.get(uid) : this.stored.get(uid)) === version;
  }

  /** Notes a version in the current batch; undefined when the Event was deleted. */
  stage(uid: string, version: string | undefined): void {
    this.staged.set(uid, version);
  }

  /** The current batch was stored. */
  commit(): void {
    for (const [uid, version] of this.staged) {
      if (version === undefined) this.stored.delete(uid);
      else this.stored.set(uid, version);
    }
    this.staged = new Map();
  }

  /** After a full list: Events not listed are gone from the server and need no memory. */
  keepOnly(listed: ReadonlySet<string>): void {
    for (const uid of this.stored.keys()) if (!listed.has(uid)) this.stored.delete(uid);
  }

  get size(): number {
    return this.stored.size;
  }
}
