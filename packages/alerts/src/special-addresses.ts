// Addresses a webhook may not reach (docs/alerts.md, "Private addresses"): every block of the IANA
// special-purpose registries, IPv4 and IPv6, judged whole rather than picked from, since a block left
// out (NAT64 local-use, 6to4, Teredo, discard-only) was how internal targets got through; and the
// IPv4 address inside every IPv6 form that carries one, judged as IPv4.
import { BlockList, isIP } from 'node:net';

interface Block {
  name: string;
  net: string;
  prefix: number;
}

/**
 * IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry, 2025), every entry,
 * whatever its "globally reachable" column says (no AS112 sink or anycast relay is a webhook
 * receiver), plus multicast from the IPv4 address space registry. Blocks inside a listed one
 * (192.0.0.8/32, 255.255.255.255/32, …) are covered by it.
 */
const IPV4_SPECIAL: readonly Block[] = [
  { name: '"this network"', net: '0.0.0.0', prefix: 8 },
  { name: 'private-use', net: '10.0.0.0', prefix: 8 },
  { name: 'shared address space', net: '100.64.0.0', prefix: 10 },
  { name: 'loopback', net: '127.0.0.0', prefix: 8 },
  { name: 'link-local', net: '169.254.0.0', prefix: 16 },
  { name: 'private-use', net: '172.16.0.0', prefix: 12 },
  { name: 'IETF protocol assignments', net: '192.0.0.0', prefix: 24 },
  { name: 'documentation (TEST-NET-1)', net: '192.0.2.0', prefix: 24 },
  { name: 'AS112-v4', net: '192.31.196.0', prefix: 24 },
  { name: 'AMT', net: '192.52.193.0', prefix: 24 },
  { name: '6to4 relay anycast (deprecated)', net: '192.88.99.0', prefix: 24 },
  { name: 'private-use', net: '192.168.0.0', prefix: 16 },
  { name: 'direct delegation AS112 service', net: '192.175.48.0', prefix: 24 },
  { name: 'benchmarking', net: '198.18.0.0', prefix: 15 },
  { name: 'documentation (TEST-NET-2)', net: '198.51.100.0', prefix: 24 },
  { name: 'documentation (TEST-NET-3)', net: '203.0.113.0', prefix: 24 },
  { name: 'multicast', net: '224.0.0.0', prefix: 4 },
  { name: 'reserved and limited broadcast', net: '240.0.0.0', prefix: 4 },
];

/**
 * IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry, 2025), every entry, plus
 * what the address architecture sets apart (IPv4-compatible, site-local, multicast). The forms
 * that carry an IPv4 address and are routed by it (IPv4-mapped, IPv4-translated, the well-known
 * NAT64 prefix, 6to4, ISATAP) are decoded first (embeddedIpv4); Teredo and the local-use NAT64
 * prefix are refused whole (neither is globally reachable, and where the local-use prefix puts
 * its IPv4 depends on the operator's prefix length). More specific entries come first, so a
 * refusal names the most telling one.
 */
const IPV6_SPECIAL: readonly Block[] = [
  { name: 'unspecified, loopback and IPv4-compatible (deprecated)', net: '::', prefix: 96 },
  { name: 'local-use IPv4/IPv6 translation', net: '64:ff9b:1::', prefix: 48 },
  { name: 'discard-only', net: '100::', prefix: 64 },
  { name: 'dummy IPv6 prefix', net: '100:0:0:1::', prefix: 64 },
  { name: 'Teredo', net: '2001::', prefix: 32 },
  { name: 'IETF protocol assignments', net: '2001::', prefix: 23 },
  { name: 'documentation', net: '2001:db8::', prefix: 32 },
  { name: 'direct delegation AS112 service', net: '2620:4f:8000::', prefix: 48 },
  { name: 'documentation', net: '3fff::', prefix: 20 },
  { name: 'SRv6 SIDs', net: '5f00::', prefix: 16 },
  { name: 'unique-local', net: 'fc00::', prefix: 7 },
  { name: 'link-local', net: 'fe80::', prefix: 10 },
  { name: 'site-local (deprecated)', net: 'fec0::', prefix: 10 },
  { name: 'multicast', net: 'ff00::', prefix: 8 },
];

/** Everything IANA has allocated for global unicast; an address outside it is no Internet host. */
const GLOBAL_UNICAST = { net: '2000::', prefix: 3 };

/** A block and the list that tests membership of it (net.BlockList: no hand-written prefix maths). */
function compile(blocks: readonly Block[], family: 'ipv4' | 'ipv6') {
  return blocks.map((b) => {
    const list = new BlockList();
    list.addSubnet(b.net, b.prefix, family);
    return { label: `${b.name} (${b.net}/${b.prefix})`, list };
  });
}
const ipv4Special = compile(IPV4_SPECIAL, 'ipv4');
const ipv6Special = compile(IPV6_SPECIAL, 'ipv6');
const globalUnicast = new BlockList();
globalUnicast.addSubnet(GLOBAL_UNICAST.net, GLOBAL_UNICAST.prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (no zone id), or null when it is none. */
function hextets(ipv6: string): number[] | null {
  if (isIP(ipv6) !== 6) return null;
  // The URL parser canonicalizes IPv6: lower case, compressed, a dotted quad as hex.
  const host = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  const [head = '', tail] = host.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address carries and is delivered by, with the form's name, or null:
 * IPv4-mapped `::ffff:0:0/96`, IPv4-translated `::ffff:0:0:0/96` (RFC 2765), the well-known NAT64
 * prefix `64:ff9b::/96` (RFC 6052), 6to4 `2002::/16` (RFC 3056: bits 16–47) and an ISATAP interface
 * id `[02]00:5efe:a.b.c.d` in any prefix (RFC 5214).
 */
export function embeddedIpv4(ipv6: string): { form: string; ipv4: string } | null {
  const h = hextets(ipv6);
  if (!h) return null;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, i = 0] = h;
  const zeros = (...xs: number[]) => xs.every((x) => x === 0);
  if (zeros(a, b, c, d, e) && f === 0xffff) return { form: 'IPv4-mapped', ipv4: dotted(g, i) };
  if (zeros(a, b, c, d, f) && e === 0xffff) return { form: 'IPv4-translated', ipv4: dotted(g, i) };
  if (a === 0x64 && b === 0xff9b && zeros(c, d, e, f)) return { form: 'NAT64 (64:ff9b::/96)', ipv4: dotted(g, i) };
  if (a === 0x2002) return { form: '6to4 (2002::/16)', ipv4: dotted(b, c) };
  // The u and g bits of the interface id may be set (0200:5efe: a universal IPv4 address).
  if ((e & 0xfcff) === 0 && f === 0x5efe) return { form: 'ISATAP', ipv4: dotted(g, i) };
  return null;
}

function ipv4Refusal(address: string): string | null {
  return ipv4Special.find((b) => b.list.check(address, 'ipv4'))?.label ?? null;
}

/**
 * Why `address` (an IP literal) may not be a webhook target, or null when it is a public unicast
 * address. Anything that is not an IP address is refused rather than guessed at.
 */
export function addressRefusal(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return ipv4Refusal(address);
  if (family !== 6) return 'not an IP address';
  const bare = address.split('%')[0] as string; // a zone id (fe80::1%eth0) is link-local anyway
  const carried = embeddedIpv4(bare);
  if (carried) {
    const why = ipv4Refusal(carried.ipv4);
    if (why) return `${carried.form} carrying ${carried.ipv4}: ${why}`;
    // ISATAP sits in an ordinary prefix, which must pass on its own too.
    if (carried.form !== 'ISATAP') return null;
  }
  const special = ipv6Special.find((b) => b.list.check(bare, 'ipv6'));
  if (special) return special.label;
  if (!globalUnicast.check(bare, 'ipv6'))
    return `outside global unicast (${GLOBAL_UNICAST.net}/${GLOBAL_UNICAST.prefix})`;
  return null;
}
