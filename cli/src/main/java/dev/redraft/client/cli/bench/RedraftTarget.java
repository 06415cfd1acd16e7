package dev.redraft.client.cli.bench;

import dev.redraft.api.v1.Command;
import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a Redraft cluster through the client library: writes through the log (exactly-once
 * sessions), linearizable reads. All sessions share the one thread-safe client.
 */
public final class RedraftTarget implements Target {
  private final String name;
  private final RedraftClient client;

  public RedraftTarget(String name, RedraftClient client) {
    this.name = name;
    this.client = client;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Session openSession() {
    return new Session() {
      @Override
      public void set(byte[] key, byte[] value) {
        client.write(Commands.of("SET", key, value));
      }

      @Override
      public void incr(byte[] key) {
        client.write(Commands.of("INCR", key));
      }

      @Override
      public void get(byte[] key) {
        client.read(Commands.of("GET", key));
      }

      @Override
      public void batch(List<byte[]> keys, byte[] value) {
        List<Command> commands = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
          commands.add(Commands.of("SET", key, value));
        }
        client.batch(commands);
      }

      @Override
      public void close() {
        // The client is shared and closed with the target.
      }
    };
  }

  @Override
  public void preload(List<byte[]> keys, byte[] value) {
    // One SET per key, 200 in flight: an MSET of many keys is refused by a sharded cluster (its keys are
    // in several groups), and concurrent writes share log entries anyway.
    for (int from = 0; from < keys.size(); from += 200) {
      List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + 200));
      List<java.util.concurrent.CompletableFuture<?>> writes = new java.util.ArrayList<>(chunk.size());
      for (byte[] key : chunk) {
        writes.add(client.writeAsync(Commands.of("SET", key, value)));
      }
      writes.forEach(java.util.concurrent.CompletableFuture::join);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
