/**
 * IPv4 and IPv6 CIDR membership for rule conditions (`source.ip|cidr: [10.0.0.0/8, fd00::/8]`).
 * IPv4 addresses are parsed without allocating, because the check runs on every request of a
 * service account; IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) count as their IPv4 address.
 */
export class CidrSet {
  private readonly v4: Array<{ network: number; mask: number }> = [];
  private readonly v6: Array<{ words: number[]; prefix: number }> = [];

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) this.add(cidr);
  }

  has(address: string): boolean {
    const v4 = parseIpv4(address);
    if (v4 !== undefined) return this.hasV4(v4);
    const words = parseIpv6(address);
    if (words === undefined) return false;
    const mapped = mappedIpv4(words);
    if (mapped !== undefined) return this.hasV4(mapped);
    return this.v6.some((range) => prefixEquals(words, range.words, range.prefix));
  }

  private hasV4(address: number): boolean {
    for (const range of this.v4) if ((address & range.mask) >>> 0 === range.network) return true;
    return false;
  }

  private add(cidr: string): void {
    const slash = cidr.indexOf('/');
    const host = slash < 0 ? cidr : cidr.slice(0, slash);
    const prefixText = slash < 0 ? undefined : cidr.slice(slash + 1);
    const v4 = parseIpv4(host);
    if (v4 !== undefined) {
      const prefix = parsePrefix(cidr, prefixText, 32);
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      this.v4.push({ network: (v4 & mask) >>> 0, mask });
      return;
    }
    const words = parseIpv6(host);
    if (words === undefined) {
      throw new Error(`invalid CIDR "${cidr}": expected an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8`);
    }
    const prefix = parsePrefix(cidr, prefixText, 128);
    const mapped = mappedIpv4(words);
    if (mapped !== undefined && prefix >= 96) {
      const v4Prefix = prefix - 96;
      const mask = v4Prefix === 0 ? 0 : (0xffffffff << (32 - v4Prefix)) >>> 0;
      this.v4.push({ network: (mapped & mask) >>> 0, mask });
      return;
    }
    this.v6.push({ words, prefix });
  }
}

function parsePrefix(cidr: string, text: string | undefined, max: number): number {
  if (text === undefined) return max;
  const prefix = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(prefix >= 0 && prefix <= max)) throw new Error(`invalid CIDR "${cidr}": prefix length must be 0..${max}`);
  return prefix;
}

/** Dotted-quad to an unsigned 32-bit number, or undefined when the text is not exactly that. */
export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      part = part * 10 + (code - 48);
      digits++;
      if (digits > 3 || part > 255) return undefined;
    } else if (code === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}

/** IPv6 text (with `::` and an optional embedded IPv4 tail, zone id dropped) to eight 16-bit words. */
export function parseIpv6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  const address = zone < 0 ? text : text.slice(0, zone);
  if (!address.includes(':')) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = parseWords(halves[0]);
  const tail = halves.length === 2 ? parseWords(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...new Array<number>(Math.max(missing, 0)).fill(0), ...tail];
}

function parseWords(text: string): number[] | undefined {
  if (text === '') return [];
  const words: number[] = [];
  const groups = text.split(':');
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (i === groups.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (v4 === undefined) return undefined;
      words.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      words.push(parseInt(group, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

function mappedIpv4(words: readonly number[]): number | undefined {
  for (let i = 0; i < 5; i++) if (words[i] !== 0) return undefined;
  if (words[5] !== 0xffff) return undefined;
  return words[6] * 65536 + words[7];
}

function prefixEquals(address: readonly number[], network: readonly number[], prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = Math.min(bits, 16);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((address[i] & mask) !== (network[i] & mask)) return false;
    bits -= take;
  }
  return true;
}
