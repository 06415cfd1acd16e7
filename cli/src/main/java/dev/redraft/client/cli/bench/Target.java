package dev.redraft.client.cli.bench;

import java.util.List;

/** Something to load: a Redraft cluster or a Redis baseline. */
public interface Target extends AutoCloseable {
  /** Short name used in the tables, files and chart (e.g. redraft, redis-raw). */
  String name();

  /** A connection used by one load-generating client (one thread), never shared. */
  Session openSession();

  /** Writes {@code value} under every key, in large chunks, so GETs find data. */
  void preload(List<byte[]> keys, byte[] value);

  @Override
  void close();

  /** One client's connection. Each call blocks until the reply; a failure throws. */
  interface Session extends AutoCloseable {
    void set(byte[] key, byte[] value);

    void incr(byte[] key);

    void get(byte[] key);

    /** SETs of every key to the value, atomically. */
    void batch(List<byte[]> keys, byte[] value);

    @Override
    void close();
  }
}
