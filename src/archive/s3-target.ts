import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type ArchiveTarget, ArchiveObjectMissing, type TargetOptions } from './target.js';

/**
 * An S3-compatible bucket prefix. Region and credentials come from the SDK's usual chain
 * (environment, shared config/credentials files and profiles, SSO, instance roles); the endpoint
 * from `--s3-endpoint` or $AWS_ENDPOINT_URL, and then path-style addressing, which local servers
 * (MinIO, s3rver) need. Objects go up as multipart uploads; the SDK retries failed requests.
 */

export interface S3Location {
  bucket: string;
  /** Key prefix without a trailing slash; empty for the bucket root. */
  prefix: string;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MAX_ATTEMPTS = 5;

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match || match[1] === '') throw new Error(`archive target ${url} must look like s3://bucket/prefix`);
  return { bucket: match[1], prefix: match[2].replace(/\/+$/, '') };
}

export class S3Target implements ArchiveTarget {
  readonly location: string;
  private readonly client: S3Client;
  private readonly partSize: number;

  constructor(
    private readonly where: S3Location,
    options: TargetOptions,
  ) {
    this.location = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
    // Vigil runs on Node 20 (better-sqlite3 12) with a pinned SDK; its notice about future SDK releases is not the user's to act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const endpoint = options.s3Endpoint ?? process.env.AWS_ENDPOINT_URL;
    this.client = new S3Client({
      // S3-compatible servers often reject the SDK's default CRC checksums on streamed uploads.
      ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
      // The SDK insists on a region even for endpoints that ignore it.
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
      maxAttempts: MAX_ATTEMPTS,
    });
    this.partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
  }

  async putFile(name: string, localPath: string): Promise<void> {
    await this.upload(name, createReadStream(localPath));
  }

  async putText(name: string, text: string): Promise<void> {
    await this.upload(name, Buffer.from(text, 'utf8'));
  }

  async read(name: string): Promise<Readable> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.key(name) }));
      if (!(response.Body instanceof Readable)) throw new Error(`reading ${this.location}/${name}: the SDK returned no Node stream`);
      return response.Body;
    } catch (error) {
      if (isMissing(error)) throw new ArchiveObjectMissing(`${name} is missing from archive ${this.location}`);
      throw error;
    }
  }

  async readText(name: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.key(name) }));
      return await response.Body?.transformToString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ name: string; bytes: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: this.key(prefix), ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { name: item.Key.slice(this.where.prefix ? this.where.prefix.length + 1 : 0), bytes: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(name: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.key(name) }));
  }

  private async upload(name: string, body: Readable | Buffer): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.where.bucket, Key: this.key(name), Body: body },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw new Error(`uploading ${name} to ${this.location} failed: ${(error as Error).message} (check the endpoint, region and credentials)`);
    }
  }

  private key(name: string): string {
    return this.where.prefix ? `${this.where.prefix}/${name}` : name;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}
