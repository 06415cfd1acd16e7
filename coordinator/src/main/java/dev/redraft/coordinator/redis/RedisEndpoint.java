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

  public RedisEndpoint(String host, int port, String password, Duration timeout) {
    this.address = new HostAndPort(host, port);
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .timeoutMillis((int) timeout.toMillis())
        .clientName("redraft-coordinator")
        .resp2()
        .autoNegotiateProtocol(false);
    if (password != null && !password.isEmpty()) {
      config.password(password);
    }
    this.clientConfig = config.build();
  }

  /** host:port, for messages. */
  public String address() {
    return address.toString();
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
