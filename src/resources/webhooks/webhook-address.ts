import { lookup } from 'node:dns/promises'
import { isIP, type LookupFunction } from 'node:net'
import { lookup as lookupCallback } from 'node:dns'
import ipaddr from 'ipaddr.js'

// IANA's global unicast space. IPv6 outside it that ipaddr.js calls unicast is reserved space no
// receiver uses, such as the deprecated IPv4-compatible form ::a.b.c.d, which ipaddr.js does not
// classify: [::127.0.0.1] would otherwise pass as public.
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3')
// NAT64's well-known prefix (RFC 6052): 64:ff9b::a.b.c.d reaches the IPv4 host a.b.c.d.
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96')

function isPublicIPv4(address: ipaddr.IPv4): boolean {
  return address.range() === 'unicast'
}

/**
 * Whether an address is a public unicast one. Everything else (private, loopback, link-local (which
 * holds the cloud metadata service, 169.254.169.254), carrier-grade NAT (Alibaba's metadata
 * address), multicast, unique-local IPv6 (fd00:ec2::254), reserved) is refused, and so is every IPv6
 * form that embeds an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d,
 * IPv4-translated ::ffff:0:a.b.c.d, 6to4, Teredo), except NAT64's well-known prefix, which is judged
 * as the IPv4 address it reaches, so an IPv6-only host behind NAT64 still delivers to public receivers.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  const parsed = ipaddr.parse(address)
  if (parsed instanceof ipaddr.IPv4) return isPublicIPv4(parsed)
  if (parsed.match(NAT64)) {
    const [high, low] = parsed.parts.slice(6) as [number, number]
    return isPublicIPv4(new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]))
  }
  return parsed.range() === 'unicast' && parsed.match(GLOBAL_UNICAST)
}

/** Why the URL's host is refused, or undefined. A name that does not resolve (yet) is not refused here. */
export async function refusedHost(url: URL): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host)) return isPublicAddress(host) ? undefined : `${host} is not a public address`
  let addresses: { address: string }[]
  try {
    addresses = await lookup(host, { all: true })
  } catch {
    return undefined
  }
  const refused = addresses.find(({ address }) => !isPublicAddress(address))
  return refused ? `${host} resolves to ${refused.address}, which is not a public address` : undefined
}

/** A DNS lookup for sockets that answers only the public addresses of a name, so none other is dialled. */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4)
    const allowed = addresses.filter(({ address }) => isPublicAddress(address))
    if (allowed.length === 0) {
      const refusal = Object.assign(new Error(`${hostname} resolves to no public address`), { code: 'EADDRREFUSED' })
      return callback(refusal, '', 4)
    }
    if (options.all) return callback(null, allowed)
    return callback(null, allowed[0]!.address, allowed[0]!.family)
  })
}
