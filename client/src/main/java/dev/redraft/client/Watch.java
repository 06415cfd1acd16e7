package dev.redraft.client;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.WatchedKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys and their digests as {@link RedraftClient#watch} read them (Redis' WATCH): a batch sent with
 * {@link RedraftClient#batchIfUnchanged} runs only if none of these keys changed since (its value,
 * type or TTL; created or deleted), decided where the batch is applied, in log order.
 */
public record Watch(Map<ByteString, ByteString> digests) {
  public Watch {
    digests = Collections.unmodifiableMap(new LinkedHashMap<>(digests)); // in the order watched
  }

  List<WatchedKey> toProto() {
    List<WatchedKey> out = new ArrayList<>(digests.size());
    digests.forEach((key, digest) -> out.add(WatchedKey.newBuilder().setKey(key).setDigest(digest).build()));
    return out;
  }
}
