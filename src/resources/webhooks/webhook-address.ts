import { lookup } from 'node:dns/promises'
import { isIP, type LookupFunction } from 'node:net'
import { lookup as lookupCallback } from 'node:dns'
import ipaddr from 'ipaddr.js'

/**
 * Whether an address is a public unicast one. Everything else (private, loopback, link-local (which
 * holds the cloud metadata service, 169.254.169.254), carrier-grade NAT (Alibaba's metadata
 * address), multicast, unique-local IPv6 (fd00:ec2::254), reserved) is refused; an IPv4-mapped
 * IPv6 address is judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  return ipaddr.process(address).range() === 'unicast'
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
