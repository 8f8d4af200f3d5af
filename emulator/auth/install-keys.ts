// The RSA key pair that signs install/uninstall lifecycle calls (RS256, `kid` header), and the
// key server apps fetch the public key from: GET /connect-keys/{kid} answers the PEM text, as
// https://connect-install-keys.atlassian.com/{kid} does (ACE reads it via CONNECT_KEYS_CDN_URL).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Router } from 'express';
import { sendError } from '../errors';

export interface InstallKeys {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateInstallKeys(): InstallKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { kid: randomUUID(), privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export function installKeysRouter(keys: InstallKeys): Router {
  const router = Router();
  router.get('/:kid', (req, res) => {
    if (req.params.kid !== keys.kid) {
      sendError(req, res, 404, `No public key with kid ${req.params.kid}`);
      return;
    }
    res.type('application/x-pem-file').send(keys.publicKeyPem);
  });
  return router;
}
