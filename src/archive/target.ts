import type { Readable } from 'node:stream';
import { DirectoryTarget } from './directory-target.js';
import { S3Target, parseS3Url } from './s3-target.js';

/** Where segments, manifests, run receipts and the index live: a directory or an S3 prefix. */
export interface ArchiveTarget {
  /** As the user names it: an absolute directory or `s3://bucket/prefix`. */
  readonly location: string;
  /** Stores a local file under `name`, replacing any object of that name only once it is complete. */
  putFile(name: string, localPath: string): Promise<void>;
  putText(name: string, text: string): Promise<void>;
  /** The object's bytes as a stream; throws ArchiveObjectMissing when there is none. */
  read(name: string): Promise<Readable>;
  /** The object as UTF-8, or undefined when there is none. */
  readText(name: string): Promise<string | undefined>;
  /** Objects whose names start with `prefix`, with their sizes, in name order. */
  list(prefix: string): AsyncIterable<{ name: string; bytes: number }>;
  remove(name: string): Promise<void>;
}

export class ArchiveObjectMissing extends Error {
  override name = 'ArchiveObjectMissing';
}

export interface TargetOptions {
  /** S3-compatible endpoint (MinIO, Ceph, s3rver); default $AWS_ENDPOINT_URL, else AWS. */
  s3Endpoint?: string;
  /** Multipart part size; S3 requires at least 5 MiB except for the last part. */
  partSizeBytes?: number;
}

export function openArchiveTarget(target: string, options: TargetOptions = {}): ArchiveTarget {
  if (target.startsWith('s3://')) return new S3Target(parseS3Url(target), options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) throw new Error(`archive target ${target}: only a directory or s3://bucket/prefix is supported`);
  return new DirectoryTarget(target);
}
