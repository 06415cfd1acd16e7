package dev.redraft.client;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Converts typed Redis replies to Java values. Error replies never get here: they are thrown. */
public final class Replies {
  private Replies() {}

  /** True for the status reply {@code OK}; false for nil (a SET whose NX/XX condition failed). */
  public static boolean isOk(Reply reply) {
    if (reply.hasNil()) {
      return false;
    }
    return "OK".equals(expect(reply, Reply.KindCase.STATUS).getStatus());
  }

  /** A bulk or status reply as UTF-8 text; null for nil. */
  public static String asString(Reply reply) {
    return switch (reply.getKindCase()) {
      case NIL -> null;
      case STATUS -> reply.getStatus();
      case BULK -> reply.getBulk().toStringUtf8();
      case INTEGER -> Long.toString(reply.getInteger());
      default -> throw unexpected(reply, "a string");
    };
  }

  /** A bulk reply's bytes; null for nil. */
  public static byte[] asBytes(Reply reply) {
    return switch (reply.getKindCase()) {
      case NIL -> null;
      case BULK -> reply.getBulk().toByteArray();
      case STATUS -> ByteString.copyFromUtf8(reply.getStatus()).toByteArray();
      default -> throw unexpected(reply, "a bulk string");
    };
  }

  public static long asLong(Reply reply) {
    return expect(reply, Reply.KindCase.INTEGER).getInteger();
  }

  /** An integer reply read as a flag: 1 is true, 0 is false. */
  public static boolean asBoolean(Reply reply) {
    return asLong(reply) != 0;
  }

  /** A Redis float (bulk "1.5", "inf", "-inf"); null for nil. */
  public static Double asDouble(Reply reply) {
    String text = asString(reply);
    if (text == null) {
      return null;
    }
    return switch (text) {
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  /** An array of bulk strings, nil elements as null; an empty list for a nil array. */
  public static List<String> asStringList(Reply reply) {
    if (reply.hasNil()) {
      return List.of();
    }
    List<Reply> items = expect(reply, Reply.KindCase.ARRAY).getArray().getItemsList();
    List<String> values = new ArrayList<>(items.size());
    for (Reply item : items) {
      values.add(asString(item));
    }
    return Collections.unmodifiableList(values);
  }

  /** An array of bulk strings as a set, in Redis' order. */
  public static Set<String> asStringSet(Reply reply) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(asStringList(reply)));
  }

  /** A flat array of field, value pairs (HGETALL) as a map, in Redis' order. */
  public static Map<String, String> asStringMap(Reply reply) {
    List<String> flat = asStringList(reply);
    if (flat.size() % 2 != 0) {
      throw new RedraftException("expected field/value pairs, got an array of " + flat.size() + " items");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < flat.size(); i += 2) {
      map.put(flat.get(i), flat.get(i + 1));
    }
    return Collections.unmodifiableMap(map);
  }

  private static Reply expect(Reply reply, Reply.KindCase kind) {
    if (reply.getKindCase() != kind) {
      throw unexpected(reply, kind.name().toLowerCase());
    }
    return reply;
  }

  private static RedraftException unexpected(Reply reply, String expected) {
    return new RedraftException("expected " + expected + " reply, got " + reply.getKindCase()
        .name().toLowerCase() + ": " + reply.toString().trim());
  }
}
