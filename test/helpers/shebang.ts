import { readFile } from 'node:fs/promises'

/** How the CLI's first line runs node: `#!/usr/bin/env -S NAME=value… node flags…`. */
export interface Shebang {
  /** The `NAME=value` assignments before `node`, in order. */
  environment: string[]
  /** Node's flags after `node`. */
  flags: string[]
}

/**
 * Read the shebang of the CLI at `path` (`src/cli.ts`, or its build).
 * @throws Error naming the file when its first line is not of that form.
 */
export async function readShebang (path: string): Promise<Shebang> {
  const line = (await readFile(path, 'utf8')).split('\n', 1)[0] ?? ''
  const words = /^#!\/usr\/bin\/env -S (.*)$/.exec(line)?.[1]?.split(' ') ?? []
  const node = words.indexOf('node')
  if (node < 0) throw new Error(`${path}: the first line is not "#!/usr/bin/env -S [NAME=value…] node [flags…]": ${line}`)
  return { environment: words.slice(0, node), flags: words.slice(node + 1) }
}
