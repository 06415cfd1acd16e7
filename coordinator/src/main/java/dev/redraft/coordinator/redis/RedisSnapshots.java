package dev.redraft.coordinator.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.RestoreParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Copies a Redis dataset to a snapshot file and back: every key as Redis' own DUMP payload, so any
 * type round-trips exactly. Redraft's own state (applied-index marker, sessions, deadlines) is in
 * Redis too, so a snapshot is the whole replica at one log index.
 *
 * <p>File format (version 1): magic, version, the applied-index marker, the key count, then per key
 * its length-prefixed name and DUMP payload. Loading writes the marker last: a load cut short leaves
 * no marker, which the applier reports as lost data instead of trusting a half-loaded Redis.
 */
public final class RedisSnapshots {
  private static final byte[] MAGIC = "REDRAFT-SNAPSHOT".getBytes(StandardCharsets.US_ASCII);
  private static final int FORMAT_VERSION = 1;
  private static final int SCAN_COUNT = 1_000;
  private static final int RESTORE_BATCH = 500;
  private static final byte[] MARKER_KEY = RedisApplier.APPLIED_KEY.getBytes(StandardCharsets.US_ASCII);

  /** What a snapshot holds. */
  public record Summary(long appliedMarker, long keys, long bytes) {}

  private final RedisEndpoint endpoint;

  public RedisSnapshots(RedisEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Writes the dataset to {@code file} and forces it to disk. Nothing may write this Redis
   * meanwhile (the caller holds applies back), or the file would mix log positions.
   */
  public Summary write(Path file) throws IOException {
    return write(file, () -> false);
  }

  /**
   * As {@link #write(Path)}, checking {@code abandon} between batches of keys: once it says true the
   * write stops with an IOException (e.g. the node is stopping and must not wait for a big dataset).
   */
  public Summary write(Path file, BooleanSupplier abandon) throws IOException {
    try (Jedis jedis = endpoint.connect()) {
      String marker = jedis.get(RedisApplier.APPLIED_KEY);
      List<byte[]> keys = allKeys(jedis, abandon);
      long bytes;
      try (FileOutputStream fileOut = new FileOutputStream(file.toFile());
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(fileOut, 1 << 16))) {
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeLong(marker == null ? 0 : Long.parseLong(marker));
        out.writeLong(keys.size());
        for (int from = 0; from < keys.size(); from += SCAN_COUNT) {
          checkAbandoned(abandon);
          List<byte[]> part = keys.subList(from, Math.min(keys.size(), from + SCAN_COUNT));
          Pipeline pipeline = jedis.pipelined();
          List<Response<byte[]>> dumps = new ArrayList<>(part.size());
          part.forEach(key -> dumps.add(pipeline.dump(key)));
          pipeline.sync();
          for (int i = 0; i < part.size(); i++) {
            byte[] dump = dumps.get(i).get();
            if (dump == null) {
              throw new IOException("key vanished while writing a snapshot: something else writes this Redis");
            }
            writeBytes(out, part.get(i));
            writeBytes(out, dump);
          }
        }
        out.flush();
        bytes = fileOut.getChannel().size();
        fileOut.getFD().sync();
      }
      return new Summary(marker == null ? 0 : Long.parseLong(marker), keys.size(), bytes);
    }
  }

  /** Reads only the header of a snapshot file. */
  public static Summary readSummary(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      long marker = in.readLong();
      long keys = in.readLong();
      return new Summary(marker, keys, Files.size(file));
    }
  }

  /** Replaces the whole dataset with the snapshot's. */
  public Summary load(Path file) throws IOException {
    try (Jedis jedis = endpoint.connect(); DataInputStream in = open(file)) {
      long marker = in.readLong();
      long count = in.readLong();
      jedis.flushAll();
      byte[] markerDump = null;
      Pipeline pipeline = jedis.pipelined();
      int pending = 0;
      for (long i = 0; i < count; i++) {
        byte[] key = readBytes(in);
        byte[] dump = readBytes(in);
        if (Arrays.equals(key, MARKER_KEY)) {
          markerDump = dump;
          continue;
        }
        pipeline.restore(key, 0, dump, RestoreParams.restoreParams().replace());
        if (++pending == RESTORE_BATCH) {
          pipeline.sync();
          pipeline = jedis.pipelined();
          pending = 0;
        }
      }
      pipeline.sync();
      if (markerDump != null) {
        jedis.restore(MARKER_KEY, 0, markerDump, RestoreParams.restoreParams().replace());
      }
      return new Summary(marker, count, Files.size(file));
    }
  }

  /** Empties the dataset (before rebuilding it from the log alone). */
  public void clear() {
    try (Jedis jedis = endpoint.connect()) {
      jedis.flushAll();
    }
  }

  private static void checkAbandoned(BooleanSupplier abandon) throws IOException {
    if (abandon.getAsBoolean()) {
      throw new IOException("snapshot abandoned before it was complete");
    }
  }

  private static List<byte[]> allKeys(Jedis jedis, BooleanSupplier abandon) throws IOException {
    List<byte[]> keys = new ArrayList<>();
    byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
    ScanParams params = new ScanParams().count(SCAN_COUNT);
    do {
      checkAbandoned(abandon);
      ScanResult<byte[]> page = jedis.scan(cursor, params);
      keys.addAll(page.getResult());
      cursor = page.getCursorAsBytes();
    } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
    return keys;
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    DataInputStream in = new DataInputStream(raw);
    try {
      byte[] magic = in.readNBytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " is not a Redraft snapshot");
      }
      int version = in.readInt();
      if (version != FORMAT_VERSION) {
        throw new IOException(file + " has snapshot format " + version + "; this coordinator reads format "
            + FORMAT_VERSION + ": upgrade it");
      }
      return in;
    } catch (EOFException e) {
      in.close();
      throw new IOException(file + " is truncated", e);
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("corrupt snapshot: negative length");
    }
    return in.readNBytes(length);
  }
}
