package dev.herokuconnect.operator.health;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at test time by the JDK's keytool
 * (no private key is committed), written as PEM files as a cert-manager Secret holds them.
 */
record TestCertificates(Path certFile, Path keyFile, X509Certificate certificate, PrivateKey key) {
  private static final char[] STORE_PASSWORD = "test-store".toCharArray();

  /** {@code keyAlgorithm}: RSA, EC or Ed25519. */
  static TestCertificates generate(Path dir, String keyAlgorithm) throws Exception {
    Path store = dir.resolve(keyAlgorithm + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "metrics", "-keyalg", keyAlgorithm,
        "-keysize", switch (keyAlgorithm) { case "EC" -> "256"; case "Ed25519" -> "255"; default -> "2048"; }, "-dname", "CN=heroku-connect-operator-metrics",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD)))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("keytool failed: " + out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, STORE_PASSWORD);
    }
    X509Certificate cert = (X509Certificate) ks.getCertificate("metrics");
    PrivateKey key = (PrivateKey) ks.getKey("metrics", STORE_PASSWORD);
    Path certFile = Files.writeString(dir.resolve(keyAlgorithm + "-tls.crt"), pem("CERTIFICATE", cert.getEncoded()));
    Path keyFile = Files.writeString(dir.resolve(keyAlgorithm + "-tls.key"), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
    return new TestCertificates(certFile, keyFile, cert, key);
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  /** A client context that trusts this certificate only. */
  SSLContext clientContext() throws Exception {
    return trusting(certificate);
  }

  /** A new client context (no cached TLS session) that trusts these certificates only. */
  static SSLContext trusting(X509Certificate... certificates) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < certificates.length; i++) trust.setCertificateEntry("metrics-" + i, (Certificate) certificates[i]);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
