/** computeshare entry options (seed 001, reference/providers.md §3). */
export interface ComputeshareOptions {
  /** Account name, by default the phone number. */
  username: string
  /** Password, sent as is to `loginWithClient` (the server hashes it). */
  password: string
  /** Public API prefix, default `https://computeshare.newtouch.com/api`. */
  baseUrl?: string
}

export type ComputeshareConfig = Required<ComputeshareOptions>

export const computeshareConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1 },
    password: { type: 'string', minLength: 1 },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://computeshare.newtouch.com/api' }
  }
} as const

export function normalizeComputeshareOptions (options: ComputeshareOptions): ComputeshareConfig {
  return { ...options, baseUrl: (options.baseUrl ?? 'https://computeshare.newtouch.com/api').replace(/\/+$/, '') }
}

/*
 * computeshare's one-call sandbox (seed 001 "启动沙箱环境", `POST /v1/sandbox`, §3.4): a VM plus public
 * port mappings — the spec file of `computewatch computeshare create-sandbox`.
 */

/** What the user writes (the CLI's `--file`). `dockerComposeFile` is relative to the spec file. */
export interface SandboxSpecFile {
  /** Resource spec id (seed 001: 1 = 2c4g, 2 = 4c8g). */
  specId: number
  /** Image id (seed 001: 1 = ubuntu:20.04). */
  imageId: number
  name: string
  /** SSH public key for logging in. */
  publicKey?: string
  /** Login password of the VM. A secret: never logged. */
  password?: string
  /** A docker-compose.yaml started when the VM boots; sent base64-encoded. */
  dockerComposeFile?: string
  /** Ports of the VM to publish. */
  networkMappings: Array<{ name: string; protocol: 'TCP'; computerPort: number }>
}

/** The spec with the compose file read. */
export type SandboxSpec = Omit<SandboxSpecFile, 'dockerComposeFile'> & { dockerCompose?: string }

/**
 * The price of a spec (`GET /v1/compute/spec/price?specId=`, computeshare-server branch feature/cycle,
 * `api/compute/v1/compute_instance.proto` `ComputeSpecPrice`): what renting it costs and for how long —
 * the term of a new VM (`internal/biz/compute_instance.go`: expiration = now + `day` days).
 */
export interface SpecPrice {
  /** Days a rental lasts. */
  day: number
  /** What it costs, in computeshare's own credit ("cycle"). */
  cycle: number
}

/** What a created sandbox is reachable at. */
export interface SandboxResult {
  instanceId: string
  mappings: Array<{ name: string; computerPort: number; publicAddress: string }>
}

export const sandboxSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['specId', 'imageId', 'name', 'networkMappings'],
  properties: {
    $schema: { type: 'string' },
    specId: { type: 'integer', minimum: 1 },
    imageId: { type: 'integer', minimum: 1 },
    // The request's `duration` was removed upstream on 2024-01-10 (computeshare-server commit 77135a0): the
    // term is the spec's own price (`GET /v1/compute/spec/price`), and the server drops unknown fields.
    durationMonths: { not: {}, errorMessage: 'is no longer taken: the term is the spec\'s own (the confirmation shows its days and price); remove it' },
    name: { type: 'string', minLength: 1, maxLength: 64 },
    publicKey: { type: 'string', pattern: '^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\\S+) ', errorMessage: { pattern: 'must be an OpenSSH public key ("ssh-ed25519 AAAA… comment")' } },
    password: { type: 'string', minLength: 8 },
    dockerComposeFile: { type: 'string', minLength: 1 },
    networkMappings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'protocol', 'computerPort'],
        properties: {
          name: { type: 'string', minLength: 1 },
          protocol: { type: 'string', enum: ['TCP'] },
          computerPort: { type: 'integer', minimum: 1, maximum: 65535 }
        }
      }
    }
  },
  anyOf: [{ required: ['publicKey'] }, { required: ['password'] }],
  errorMessage: { anyOf: 'set publicKey or password, or you cannot log in to the VM' }
} as const
