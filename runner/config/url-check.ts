/**
 * Connection URLs given on the command line or in the environment are checked
 * for shape when the configuration is resolved, so a typo is one clear line
 * even with `--dry-run` (which contacts no server), and never a silent skip.
 * The value itself is never echoed: a malformed URL may still hold a password.
 * (Examples carry no `user:password@` part: the CLI masks that shape in every line.)
 */
import { UserError } from '../errors.js';

/** The services that take a URL, with the schemes each accepts and an example. */
export const SERVICE_URLS = {
  pg: { schemes: ['postgres:', 'postgresql:'], example: 'postgres://user@host:5432/database' },
  pgReplica: { schemes: ['postgres:', 'postgresql:'], example: 'postgres://user@replica-host:5432/database' },
  redis: { schemes: ['redis:', 'rediss:'], example: 'redis://host:6379' },
  clickhouse: { schemes: ['http:', 'https:'], example: 'http://user@host:8123' },
} as const;

/**
 * Returns `text` when it is a URL of the right scheme with a host; throws a
 * one-line {@link UserError} naming `where` (the flag or variable) otherwise.
 */
export function checkServiceUrl(service: keyof typeof SERVICE_URLS, text: string, where: string): string {
  const { schemes, example } = SERVICE_URLS[service];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${where}: not a URL; give ${example}.`);
  }
  if (!(schemes as readonly string[]).includes(url.protocol)) {
    const scheme = /^[a-z][a-z0-9+.-]{0,20}:$/i.test(url.protocol) ? ` (got ${url.protocol}//)` : '';
    throw new UserError(`${where}: must start with ${schemes.map((s) => `${s}//`).join(' or ')}${scheme}; give ${example}.`);
  }
  if (url.hostname === '') throw new UserError(`${where}: has no host; give ${example}.`);
  return text;
}
