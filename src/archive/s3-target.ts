import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
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

interface Connected {
  sdk: typeof import('@aws-sdk/client-s3');
  storage: typeof import('@aws-sdk/lib-storage');
  client: S3Client;
}

export class S3Target implements ArchiveTarget {
  readonly location: string;
  private readonly connected: Promise<Connected>;
  private readonly partSize: number;

  constructor(
    private readonly where: S3Location,
    options: TargetOptions,
  ) {
    this.location = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
    // Vigil runs on Node 20 (better-sqlite3 12) with a pinned SDK; its notice about future SDK releases is not the user's to act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.connected = connect(options.s3Endpoint ?? process.env.AWS_ENDPOINT_URL);
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
      const { sdk, client } = await this.connected;
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.where.bucket, Key: this.key(name) }));
      if (!(response.Body instanceof Readable)) throw new Error(`reading ${this.location}/${name}: the SDK returned no Node stream`);
      return response.Body;
    } catch (error) {
      if (isMissing(error)) throw new ArchiveObjectMissing(`${name} is missing from archive ${this.location}`);
      throw error;
    }
  }

  async readText(name: string): Promise<string | undefined> {
    try {
      const { sdk, client } = await this.connected;
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.where.bucket, Key: this.key(name) }));
      return await response.Body?.transformToString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ name: string; bytes: number }> {
    const { sdk, client } = await this.connected;
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: this.key(prefix), ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { name: item.Key.slice(this.where.prefix ? this.where.prefix.length + 1 : 0), bytes: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(name: string): Promise<void> {
    const { sdk, client } = await this.connected;
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.where.bucket, Key: this.key(name) }));
  }

  private async upload(name: string, body: Readable | Buffer): Promise<void> {
    const { storage, client } = await this.connected;
    const upload = new storage.Upload({
      client,
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

/** The SDK is loaded when an S3 target is first made: importing it costs every other vigil command about 0.1 s. */
async function connect(endpoint: string | undefined): Promise<Connected> {
  const [sdk, storage] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  const client = new sdk.S3Client({
    // S3-compatible servers often reject the SDK's default CRC checksums on streamed uploads.
    ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    // The SDK insists on a region even for endpoints that ignore it.
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
    maxAttempts: MAX_ATTEMPTS,
  });
  return { sdk, storage, client };
}

function isMissing(error: unknown): boolean {
  return (error as { name?: string }).name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}
