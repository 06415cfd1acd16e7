package dev.redraft.coordinator.security;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * What a caller may do. Each role includes the ones before it: {@code read} (reads, status),
 * {@code readwrite} (and writes), {@code admin} (and membership, leadership, snapshots, verification),
 * {@code node} (and the node-to-node calls: digests, snapshot streams, leadership confirmation; held
 * by the cluster's own nodes only).
 *
 * <p>A certificate names its role in its subject's organizational unit ({@code OU=readwrite}), as
 * Kubernetes reads groups from {@code O=}: one CA can then issue every kind of identity, and the role
 * cannot be changed without the CA's signature.
 */
public enum Role {
  READ("read"),
  READWRITE("readwrite"),
  ADMIN("admin"),
  NODE("node");

  private final String label;

  Role(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Whether a caller holding this role may do what {@code needed} allows. */
  public boolean covers(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role named {@code text} (case-insensitive), if it is one. */
  public static Optional<Role> named(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(role -> role.label.equals(wanted)).findFirst();
  }

  /** The role in the certificate subject's OU; empty if it names none (or several different ones). */
  public static Optional<Role> of(X509Certificate certificate) {
    Optional<Role> found = Optional.empty();
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (!"OU".equalsIgnoreCase(rdn.getType())) {
          continue;
        }
        Optional<Role> role = named(String.valueOf(rdn.getValue()));
        if (role.isPresent() && found.isPresent() && found.get() != role.get()) {
          return Optional.empty();
        }
        found = role.isPresent() ? role : found;
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return found;
  }

  public static String labels() {
    return String.join(", ", Arrays.stream(values()).map(Role::label).toList());
  }
}
