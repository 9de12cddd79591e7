/**
 * Users of basicAuth and digestAuth, as Traefik gathers them: the lines of `usersFile` first (each
 * trimmed; blank lines and `#` comments skipped), then the inline `users`, so an inline entry wins
 * over a file entry for the same key. The file is read once, when the middleware is built.
 */
import { readFileSync } from 'node:fs';

/** Splits one entry into its key and secret, or returns undefined when the entry is malformed. */
export type UserParser = (line: string) => { readonly key: string; readonly secret: string } | undefined;

/** The non-blank, non-comment lines of a users file, trimmed. Throws a user-facing Error if unreadable. */
export function readUsersFileLines(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read usersFile "${path}": ${reason}`);
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) out.push(line);
  }
  return out;
}

/**
 * key -> secret for the file's lines then the inline entries. `format` names the expected entry
 * shape in errors (which give the file and entry number, never the secret).
 */
export function loadUsers(usersFile: string, inline: readonly string[], parse: UserParser, format: string): Map<string, string> {
  const users = new Map<string, string>();
  if (usersFile !== '') {
    readUsersFileLines(usersFile).forEach((line, i) => {
      const entry = parse(line);
      if (entry === undefined) throw new Error(`usersFile "${usersFile}": entry ${i + 1} is not "${format}"`);
      users.set(entry.key, entry.secret);
    });
  }
  inline.forEach((line, i) => {
    const entry = parse(line);
    if (entry === undefined) throw new Error(`users[${i}] is not "${format}"`);
    users.set(entry.key, entry.secret);
  });
  return users;
}
