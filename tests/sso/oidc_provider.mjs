// A real OpenID Connect provider for the single sign-on tests (npm oidc-provider), on
// 127.0.0.1. Configured from the environment by tests/sso/provider.py:
//   OIDC_PORT      the port to listen on
//   OIDC_CLIENT    JSON: client_id, client_secret, redirect_uris, post_logout_redirect_uris
//   OIDC_ACCOUNTS  JSON: { login: { email, email_verified, name } }, synthetic people
// The provider's own development pages take the sign-in (any password) and the consent.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);

// A signing key made for this run only.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test-run' };

async function findAccount(ctx, id) {
  const person = accounts[id];
  if (!person) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, ...person };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [signingKey] },
  findAccount,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
