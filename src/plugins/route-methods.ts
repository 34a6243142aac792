import FindMyWay, { type HTTPMethod } from 'find-my-way'

// The order the Allow header lists methods in: reads first, then writes.
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Which methods each registered path takes, so that a known path called with another method is
 * answered 405 with `Allow` instead of 404 (RFC 9110 §15.5.6). Fastify's router answers "not found"
 * for both; this index matches a concrete path the way Fastify does, with the same router library
 * (find-my-way) and its defaults.
 */
export class RouteMethods {
  private readonly router = FindMyWay()
  private readonly methods = new Set<string>()

  add(method: string, url: string): void {
    // Fastify refuses a real duplicate before onRoute runs; one route may still name a method twice
    // (a GET with its automatic HEAD and an explicit one), which changes nothing here.
    if (this.router.hasRoute(method as HTTPMethod, url)) return
    this.router.on(method as HTTPMethod, url, () => {})
    this.methods.add(method)
  }

  /** The methods `path` (no query string) takes, in METHOD_ORDER; empty when no route has that path. */
  allowed(path: string): string[] {
    return [...this.methods]
      .filter((method) => this.router.find(method as HTTPMethod, path) !== null)
      .sort((a, b) => order(a) - order(b))
  }
}

function order(method: string): number {
  const index = METHOD_ORDER.indexOf(method)
  return index < 0 ? METHOD_ORDER.length : index
}
