package dev.redraft.coordinator.redis;

import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;

/** Where this node's Redis is and how to log in: the one place connections are made. */
public final class RedisEndpoint {
  private final HostAndPort address;
  private final JedisClientConfig clientConfig;
  private final String user;

  /** As Redis' default user (requirepass), or none when the password is empty. */
  public RedisEndpoint(String host, int port, String password, Duration timeout) {
    this(host, port, "", password, timeout);
  }

  /** As the ACL user {@code user} (empty: the default user). */
  public RedisEndpoint(String host, int port, String user, String password, Duration timeout) {
    this.address = new HostAndPort(host, port);
    this.user = user == null ? "" : user;
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .timeoutMillis((int) timeout.toMillis())
        .clientName("redraft-coordinator")
        .resp2()
        .autoNegotiateProtocol(false);
    if (password != null && !password.isEmpty()) {
      config.password(password);
    }
    if (!this.user.isEmpty()) {
      config.user(this.user); // Jedis then sends AUTH user password
    }
    this.clientConfig = config.build();
  }

  /** host:port, for messages. */
  public String address() {
    return address.toString();
  }

  /** The ACL user this endpoint logs in as ("default" when none is configured), for messages. */
  public String user() {
    return user.isEmpty() ? "default" : user;
  }

  public String host() {
    return address.getHost();
  }

  /** A new connection, authenticated; the caller closes it. */
  public Jedis connect() {
    return new Jedis(address, clientConfig);
  }

  /** A pool of connections for concurrent reads. */
  JedisPool pool(int size) {
    GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
    poolConfig.setMaxTotal(size);
    poolConfig.setMaxIdle(size);
    poolConfig.setTestOnBorrow(false);
    poolConfig.setJmxEnabled(false);
    return new JedisPool(poolConfig, address, clientConfig);
  }
}
