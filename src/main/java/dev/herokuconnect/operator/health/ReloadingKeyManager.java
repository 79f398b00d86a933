package dev.herokuconnect.operator.health;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics port's certificate and key, read again when their files change: cert-manager renews
 * a certificate well before it expires and the kubelet swaps the mounted Secret's files, so the
 * next TLS connection gets the new certificate without a restart. A change is seen by each file's
 * real path (the kubelet's swap moves the symlink to a new directory), modification time and size,
 * checked when a connection chooses its certificate (three stat calls per handshake). New files
 * that cannot serve (half written, a key that does not match) are logged, naming the setting and
 * the path, and the previous certificate keeps serving until they can. The alias a handshake
 * chose names its generation, so a reload during that handshake never pairs one generation's
 * certificate with another's key.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);

  private record Loaded(int generation, List<Object> stamp, X509ExtendedKeyManager keys) {}

  /** A tagged alias resolved: the key manager that chose it and its own alias. */
  private record Chosen(X509ExtendedKeyManager keys, String alias) {}

  private final Path certFile;
  private final Path keyFile;
  private volatile Loaded current;
  private volatile Loaded previous;

  /** Reads the files now: a StartupFailure when they cannot serve. */
  ReloadingKeyManager(Path certFile, Path keyFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    List<Object> stamp = stamp();
    this.current = new Loaded(0, stamp, TlsFiles.keyManager(certFile, keyFile));
    this.previous = current;
  }

  /** What identifies the files' present content; null when one cannot be read (reported by the load). */
  private List<Object> stamp() {
    try {
      return List.of(certFile.toRealPath(), Files.getLastModifiedTime(certFile), Files.size(certFile),
          keyFile.toRealPath(), Files.getLastModifiedTime(keyFile), Files.size(keyFile));
    } catch (IOException e) {
      return null;
    }
  }

  /** The key manager for the files as they are now; the previous one while new files cannot serve. */
  private Loaded fresh() {
    Loaded loaded = current;
    List<Object> now = stamp();
    if (now == null || now.equals(loaded.stamp())) return loaded;
    synchronized (this) {
      if (!now.equals(current.stamp())) {
        int next = current.generation() + 1;
        try {
          Loaded renewed = new Loaded(next, now, TlsFiles.keyManager(certFile, keyFile));
          previous = current;
          current = renewed;
          log.info("metrics TLS: read the renewed certificate in {}", certFile);
        } catch (StartupFailure e) {
          // remember the stamp: one warning per change of the files, not one per connection
          current = new Loaded(current.generation(), now, current.keys());
          log.warn("metrics TLS: the changed files cannot serve, the previous certificate stays: {}", e.getMessage());
        }
      }
      return current;
    }
  }

  /** "generation/alias": which key manager chose it. */
  private static String tagged(Loaded loaded, String alias) {
    return alias == null ? null : loaded.generation() + "/" + alias;
  }

  /** The key manager of a tagged alias's generation (the current or the one before), and the plain alias. */
  private Chosen untag(String tagged) {
    int slash = tagged == null ? -1 : tagged.indexOf('/');
    if (slash < 0) return null;
    String generation = tagged.substring(0, slash);
    for (Loaded l : new Loaded[] {current, previous}) {
      if (String.valueOf(l.generation()).equals(generation)) return new Chosen(l.keys(), tagged.substring(slash + 1));
    }
    return null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Loaded l = fresh();
    return tagged(l, l.keys().chooseEngineServerAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Loaded l = fresh();
    return tagged(l, l.keys().chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Chosen c = untag(alias);
    return c == null ? null : c.keys().getCertificateChain(c.alias());
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Chosen c = untag(alias);
    return c == null ? null : c.keys().getPrivateKey(c.alias());
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Loaded l = current;
    String[] aliases = l.keys().getServerAliases(keyType, issuers);
    if (aliases == null) return null;
    return java.util.Arrays.stream(aliases).map(a -> tagged(l, a)).toArray(String[]::new);
  }

  // A server never authenticates as a client.

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
