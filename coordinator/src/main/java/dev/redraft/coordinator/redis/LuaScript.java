package dev.redraft.coordinator.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script shipped as a resource, run by its SHA1; loaded again when Redis does not know it
 * (e.g. after a Redis restart emptied its script cache).
 */
final class LuaScript {
  private final byte[] source;
  private final byte[] sha;

  LuaScript(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("script " + resource + " is missing from the coordinator jar: rebuild it");
      }
      this.source = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + resource, e);
    }
    this.sha = sha1Hex(source).getBytes(StandardCharsets.US_ASCII);
  }

  Object run(Jedis jedis, List<byte[]> args) {
    try {
      return jedis.evalsha(sha, List.of(), args);
    } catch (JedisNoScriptException e) {
      jedis.scriptLoad(source);
      return jedis.evalsha(sha, List.of(), args);
    }
  }

  private static String sha1Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available in this JVM", e);
    }
  }
}
