/**
 * Errors of the results store, each with ONE clean line for the user (what
 * failed, where, how to fix it). The CLI prints `.message` as is (it
 * recognises the `StoreError` name), never a stack.
 */

/** A store failure fit to print: unreachable server, bad credentials, unwritable folder, bad query input. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** A query parameter that is missing, unused, of an unknown type, or out of range for its placeholder. */
export class BindError extends StoreError {}

/** `http://user:secret@host:8123` → `http://user:***@host:8123`; non-URLs are returned unchanged. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return maskText(url);
  }
}

/** Masks every `scheme://user:password@` in free text (driver error messages), and the given secrets. */
export function maskText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):([^@\s]+)@/gi, '$1:***@');
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/** The first non-empty line of an error, password-free, at most 300 characters. */
export function firstLine(err: unknown, secrets: readonly string[] = []): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return maskText(line.trim(), secrets).slice(0, 300);
}
