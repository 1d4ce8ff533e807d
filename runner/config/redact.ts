/**
 * Passwords never leave the process: every URL that may be printed, logged
 * or recorded goes through {@link redactUrl} first.
 */

/** `postgres://u:secret@h/db` → `postgres://u:***@h/db`. Non-URLs are returned unchanged. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: still mask anything shaped like user:pass@ (e.g. inside an error message).
    return text.replace(/\/\/([^:/@\s]+):([^@\s]+)@/g, '//$1:***@');
  }
}

/** Masks every `scheme://user:password@` inside free text (error messages from drivers). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):([^@\s]+)@/gi, '$1:***@');
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return out;
}
