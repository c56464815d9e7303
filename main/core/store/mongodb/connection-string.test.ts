import { describe, expect, it } from 'vitest';
import { hostsOf, redactConnectionString, withoutSecrets } from './connection-string';

describe('redactConnectionString', () => {
  it.each([
    ['mongodb://db.lan:27017/', 'mongodb://db.lan:27017/'],
    ['mongodb://parley:s3cret@db.lan:27017/', 'mongodb://parley:***@db.lan:27017/'],
    ['mongodb://parley@db.lan/?authSource=admin', 'mongodb://parley@db.lan/?authSource=admin'],
    [
      'mongodb+srv://u:p%40ss@cluster.example/?replicaSet=rs0&w=majority',
      'mongodb+srv://u:***@cluster.example/?replicaSet=rs0&w=majority',
    ],
    // A password with a stray "/" or "@" (the driver refuses it, but it must not be shown).
    ['mongodb://u:a/b@c@h1:1,h2:2/db', 'mongodb://u:***@h1:1,h2:2/db'],
    [
      'mongodb://h/?tls=true&tlsCertificateKeyFilePassword=k3y&authMechanismProperties=AWS_SESSION_TOKEN:t0k',
      'mongodb://h/?tls=true&tlsCertificateKeyFilePassword=***&authMechanismProperties=***',
    ],
  ])('shows %s as %s', (uri, shown) => {
    expect(redactConnectionString(uri)).toBe(shown);
  });

  it('does not show a string that is not a connection string at all', () => {
    expect(redactConnectionString('s3cret')).not.toContain('s3cret');
  });
});

describe('hostsOf', () => {
  it('names the hosts without the user or the options', () => {
    expect(hostsOf('mongodb://u:p@h1:1,h2:2/db?replicaSet=rs0')).toBe('h1:1,h2:2');
    expect(hostsOf('mongodb://127.0.0.1:27017')).toBe('127.0.0.1:27017');
    expect(hostsOf('nonsense')).toBe('');
  });
});

describe('withoutSecrets', () => {
  it('hides the password as written and percent-decoded, and secret options', () => {
    const uri = 'mongodb://parley:p%40ss%2Fword@h/?tlsCertificateKeyFilePassword=k3y';
    const text = 'auth p%40ss%2Fword failed for p@ss/word, key k3y, host h';
    expect(withoutSecrets(text, uri)).toBe('auth *** failed for ***, key ***, host h');
  });

  it('leaves a message without secrets alone', () => {
    expect(withoutSecrets('connect ECONNREFUSED 127.0.0.1:1', 'mongodb://127.0.0.1:1')).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
