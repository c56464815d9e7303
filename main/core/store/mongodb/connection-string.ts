/**
 * What of a MongoDB connection string may be shown to a user or written to a log. The string
 * may hold a password (user:password@host) and other secrets in its options; none of them may
 * reach an error message, a log line or the console. Plain string work, without the driver, so
 * that the CLI can show where a node keeps its data without loading it.
 */

const HIDDEN = '***';
/** Options whose values are secrets: a key file's password, AWS session tokens. */
const SECRET_OPTIONS = ['tlsCertificateKeyFilePassword', 'authMechanismProperties'];

interface Parts {
  /** "mongodb://" or "mongodb+srv://". */
  scheme: string;
  /** What stands before the last "@" of the authority, or undefined without one. */
  userinfo: string | undefined;
  /** The hosts and everything after them. */
  rest: string;
}

function partsOf(uri: string): Parts | undefined {
  const scheme = /^mongodb(\+srv)?:\/\//i.exec(uri)?.[0];
  if (!scheme) return undefined;
  const afterScheme = uri.slice(scheme.length);
  // The userinfo ends at the last "@" before the options: a password may hold a stray "/".
  const options = afterScheme.indexOf('?');
  const at = afterScheme.lastIndexOf('@', options < 0 ? undefined : options);
  return at < 0
    ? { scheme, userinfo: undefined, rest: afterScheme }
    : { scheme, userinfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
}

function hideSecretOptions(text: string): string {
  let hidden = text;
  for (const option of SECRET_OPTIONS) {
    hidden = hidden.replace(new RegExp(`([?&]${option}=)[^&]*`, 'gi'), `$1${HIDDEN}`);
  }
  return hidden;
}

/**
 * The connection string with its password and secret options replaced by ***, e.g.
 * "mongodb://parley:***@db.lan:27017/?replicaSet=rs0". A string that is not a MongoDB
 * connection string at all is not shown (it may be nothing but a password pasted by mistake).
 */
export function redactConnectionString(uri: string): string {
  const parts = partsOf(uri);
  if (!parts) return '(not a mongodb:// connection string)';
  const colon = parts.userinfo?.indexOf(':') ?? -1;
  const userinfo =
    parts.userinfo === undefined
      ? ''
      : `${colon < 0 ? parts.userinfo : parts.userinfo.slice(0, colon + 1) + HIDDEN}@`;
  return `${parts.scheme}${userinfo}${hideSecretOptions(parts.rest)}`;
}

/** The hosts of a connection string ("db1:27017,db2:27017"), for messages; '' if none. */
export function hostsOf(uri: string): string {
  const rest = partsOf(uri)?.rest ?? '';
  return rest.split(/[/?]/, 1)[0] ?? '';
}

/** The secrets in a connection string, as written and percent-decoded, longest first. */
function secretsOf(uri: string): string[] {
  const secrets = new Set<string>();
  const parts = partsOf(uri);
  const colon = parts?.userinfo?.indexOf(':') ?? -1;
  if (parts?.userinfo !== undefined && colon >= 0) secrets.add(parts.userinfo.slice(colon + 1));
  for (const option of SECRET_OPTIONS) {
    for (const match of uri.matchAll(new RegExp(`[?&]${option}=([^&]*)`, 'gi'))) {
      secrets.add(match[1] ?? '');
    }
  }
  for (const secret of [...secrets]) {
    try {
      secrets.add(decodeURIComponent(secret));
    } catch {
      // Not valid percent-encoding: the raw form is already in the set.
    }
  }
  // Without a scheme nothing can be told apart: the whole string is the secret.
  if (!parts) secrets.add(uri);
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** `text` (a driver's error message, say) with every secret of `uri` in it replaced by ***. */
export function withoutSecrets(text: string, uri: string): string {
  let clean = text;
  for (const secret of secretsOf(uri)) clean = clean.split(secret).join(HIDDEN);
  return clean;
}
