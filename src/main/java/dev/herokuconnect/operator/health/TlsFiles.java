package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.config.MetricsAccess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The metrics port's TLS identity from two PEM files: {@value MetricsAccess#TLS_CERT_FILE} (the
 * certificate, then any intermediates) and {@value MetricsAccess#TLS_KEY_FILE} (its private key,
 * PKCS#8: {@code BEGIN PRIVATE KEY}; RSA, EC or Ed25519). PKCS#1 ({@code BEGIN RSA PRIVATE KEY})
 * and SEC1 ({@code BEGIN EC PRIVATE KEY}) keys are refused with the way to get PKCS#8 (cert-manager:
 * {@code privateKey.encoding: PKCS8}). Every problem is one line naming the setting and the path.
 * The files are read again when they change ({@link ReloadingKeyManager}).
 */
final class TlsFiles {
  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  static final String PKCS8_HOWTO = "cert-manager: set privateKey.encoding: PKCS8 on the Certificate; by hand: "
      + "openssl pkcs8 -topk8 -nocrypt -in tls.key -out tls.pkcs8.key";

  private TlsFiles() {}

  /**
   * Reads both files (a bad one stops the start), and gives a server SSLContext whose key manager
   * reads them again when they change (a renewed certificate is served from the next connection on).
   */
  static SSLContext serverContext(Path certFile, Path keyFile) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new ReloadingKeyManager(certFile, keyFile)}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new StartupFailure("TLS is not available in this JVM: " + e.getMessage(), e);
    }
  }

  /** A key manager for the certificate and key in the files; a StartupFailure naming the setting and the path when they cannot serve. */
  static X509ExtendedKeyManager keyManager(Path certFile, Path keyFile) {
    List<X509Certificate> chain = certificates(text(MetricsAccess.TLS_CERT_FILE, certFile), certFile);
    PrivateKey key = privateKey(text(MetricsAccess.TLS_KEY_FILE, keyFile), keyFile);
    if (!matches(key, chain.get(0))) {
      throw new StartupFailure(MetricsAccess.TLS_KEY_FILE + "=" + keyFile + " is not the private key of the certificate in "
          + MetricsAccess.TLS_CERT_FILE + "=" + certFile + " (" + chain.get(0).getSubjectX500Principal().getName()
          + "): mount the key and certificate of one Secret");
    }
    try {
      char[] password = "in-memory".toCharArray(); // the key store never leaves this method
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("metrics", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, password);
      for (KeyManager m : kmf.getKeyManagers()) {
        if (m instanceof X509ExtendedKeyManager x509) return x509;
      }
      throw new KeyStoreException("no X.509 key manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new StartupFailure(MetricsAccess.TLS_CERT_FILE + "=" + certFile + " and " + MetricsAccess.TLS_KEY_FILE + "=" + keyFile
          + " cannot be used for TLS: " + e.getMessage(), e);
    }
  }

  /** The X.509 certificates in PEM text, leaf first; a StartupFailure naming the setting when there is none or one is malformed. */
  static List<X509Certificate> certificates(String pem, Path file) {
    List<X509Certificate> out = new ArrayList<>();
    Matcher m = PEM.matcher(pem);
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        if (!m.group(1).equals("CERTIFICATE")) continue;
        out.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der(m.group(2)))));
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw bad(MetricsAccess.TLS_CERT_FILE, file, "a certificate in it is malformed (" + e.getMessage() + ")");
    }
    if (out.isEmpty()) throw bad(MetricsAccess.TLS_CERT_FILE, file, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    return out;
  }

  /** The one PKCS#8 private key in PEM text; other encodings are refused with the way to PKCS#8. */
  static PrivateKey privateKey(String pem, Path file) {
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      switch (m.group(1)) {
        case "PRIVATE KEY":
          return pkcs8(der(m.group(2)), file);
        case "RSA PRIVATE KEY":
          throw bad(MetricsAccess.TLS_KEY_FILE, file, "it holds a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY); only PKCS#8 "
              + "(BEGIN PRIVATE KEY) is read: " + PKCS8_HOWTO);
        case "EC PRIVATE KEY":
          throw bad(MetricsAccess.TLS_KEY_FILE, file, "it holds a SEC1 EC key (BEGIN EC PRIVATE KEY); only PKCS#8 "
              + "(BEGIN PRIVATE KEY) is read: " + PKCS8_HOWTO);
        case "ENCRYPTED PRIVATE KEY":
          throw bad(MetricsAccess.TLS_KEY_FILE, file, "the key is encrypted; mount it unencrypted, PKCS#8 (BEGIN PRIVATE KEY)");
        default:
          break; // not a key (e.g. a certificate in the same file): look further
      }
    }
    throw bad(MetricsAccess.TLS_KEY_FILE, file, "it holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  private static PrivateKey pkcs8(byte[] der, Path file) {
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisAlgorithm) {
        // try the next
      }
    }
    throw bad(MetricsAccess.TLS_KEY_FILE, file, "the PKCS#8 key is malformed or neither RSA, EC nor Ed25519");
  }

  /** The key signs, the certificate's public key verifies: they are a pair. */
  static boolean matches(PrivateKey key, X509Certificate cert) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) return false;
    try {
      byte[] probe = "heroku-connect-operator metrics".getBytes(StandardCharsets.UTF_8);
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(cert.getPublicKey());
      verify.update(probe);
      return verify.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static String text(String setting, Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1); // never fails to decode: a binary file holds no PEM block
    } catch (IOException e) {
      throw bad(setting, file, "it cannot be read: " + StartupFailure.reason(e));
    }
  }

  private static byte[] der(String base64) {
    return Base64.getMimeDecoder().decode(base64);
  }

  private static StartupFailure bad(String setting, Path file, String why) {
    return new StartupFailure(setting + "=" + file + ": " + why);
  }
}
