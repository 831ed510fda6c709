import { expect } from 'chai';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getTlsCerts } from './tls-certs.js';

describe('helpers/tls-certs', () => {
  it('generates once per run and returns the same material after that', async () => {
    const first = await getTlsCerts();
    expect(await getTlsCerts()).to.equal(first);
    expect(readFileSync(first.serverKey.path, 'utf8')).to.equal(first.serverKey.pem);
  });

  it('issues a server certificate for 127.0.0.1 and localhost, signed by the CA', async () => {
    const { ca, serverCert, serverKey } = await getTlsCerts();
    const caCert = new X509Certificate(ca.pem);
    const server = new X509Certificate(serverCert.pem);
    expect(server.checkIssued(caCert)).to.equal(true);
    expect(server.verify(caCert.publicKey)).to.equal(true);
    expect(server.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(server.checkHost('localhost')).to.equal('localhost');
    expect(server.checkPrivateKey(createPrivateKey(serverKey.pem))).to.equal(true);
  });

  it('issues a client certificate for client authentication, signed by the CA', async () => {
    const { ca, clientCert, clientKey } = await getTlsCerts();
    const client = new X509Certificate(clientCert.pem);
    expect(client.checkIssued(new X509Certificate(ca.pem))).to.equal(true);
    expect(client.keyUsage).to.include('1.3.6.1.5.5.7.3.2'); // id-kp-clientAuth
    expect(client.checkPrivateKey(createPrivateKey(clientKey.pem))).to.equal(true);
  });
});
