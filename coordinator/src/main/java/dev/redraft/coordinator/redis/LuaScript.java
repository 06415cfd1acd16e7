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
 * (e.g. after a Redis restart emptied its script cache). The shared helpers of {@code resp.lua},
 * {@code digest.lua} and {@code reads.lua} (which uses the digest) are put in front of it (after its shebang line, if any): Redis scripts cannot
 * include one another.
 */
final class LuaScript {
  private final byte[] source;
  private final byte[] sha;

  private static final List<String> SHARED = List.of("resp.lua", "digest.lua", "reads.lua");

  /** @param parts resources of this script alone, put between the shared helpers and the script */
  LuaScript(String resource, String... parts) {
    String script = read(resource);
    String shebang = "";
    if (script.startsWith("#!")) {
      int end = script.indexOf('\n') + 1;
      shebang = script.substring(0, end);
      script = script.substring(end);
    }
    StringBuilder shared = new StringBuilder();
    SHARED.forEach(name -> shared.append(read(name)));
    for (String part : parts) {
      shared.append(read(part));
    }
    this.source = (shebang + shared + script).getBytes(StandardCharsets.UTF_8);
    this.sha = sha1Hex(source).getBytes(StandardCharsets.US_ASCII);
  }

  private static String read(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("script " + resource + " is missing from the coordinator jar: rebuild it");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + resource, e);
    }
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
