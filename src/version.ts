import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let found: { root: string; version: string } | null | undefined

/** The package's folder and manifest: the nearest package.json of computewatch above this file (from src/ and dist/src/), read once. */
function findPackage (): { root: string; version: string } | null {
  if (found === undefined) found = readPackage()
  return found
}

function readPackage (): { root: string; version: string } | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'computewatch' && pkg.version) return { root: dir, version: pkg.version }
    } catch { /* keep looking */ }
    dir = dirname(dir)
  }
  return null
}

/** The package version (`0.0.0` when no package.json is found). */
export function packageVersion (): string {
  return findPackage()?.version ?? '0.0.0'
}

/** The package's root folder (where package.json is); null when not found. */
export function packageRoot (): string | null {
  return findPackage()?.root ?? null
}
