package dev.redraft.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed helpers for Redis sorted sets. */
public interface SortedSetCommands extends CommandRunner {
  /** ZADD one member: 1 if it is new, 0 if its score was updated. */
  default long zadd(String key, double score, String member) {
    return Replies.asLong(write(Commands.of("ZADD", key, formatScore(score), member)).reply());
  }

  /** ZADD several members (member to score): how many were new. */
  default long zadd(String key, Map<String, Double> scoresByMember) {
    List<String> args = new ArrayList<>(1 + scoresByMember.size() * 2);
    args.add(key);
    scoresByMember.forEach((member, score) -> {
      args.add(formatScore(score));
      args.add(member);
    });
    return Replies.asLong(write(Commands.of("ZADD", args)).reply());
  }

  /** ZREM: how many members were removed. */
  default long zrem(String key, String... members) {
    List<String> args = new ArrayList<>(List.of(members));
    args.add(0, key);
    return Replies.asLong(write(Commands.of("ZREM", args)).reply());
  }

  /** ZINCRBY: the member's new score. */
  default double zincrBy(String key, double increment, String member) {
    return Replies.asDouble(write(Commands.of("ZINCRBY", key, formatScore(increment), member)).reply());
  }

  /** ZRANGE by rank, inclusive, lowest score first. */
  default List<String> zrange(String key, long start, long stop) {
    return Replies.asStringList(read(Commands.of("ZRANGE", key, Long.toString(start),
        Long.toString(stop))).reply());
  }

  /** ZSCORE: null if the key or member does not exist. */
  default Double zscore(String key, String member) {
    return Replies.asDouble(read(Commands.of("ZSCORE", key, member)).reply());
  }

  default long zcard(String key) {
    return Replies.asLong(read(Commands.of("ZCARD", key)).reply());
  }

  /** A score as Redis parses it: integers without ".0", infinities as +inf / -inf. */
  private static String formatScore(double score) {
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("a sorted-set score cannot be NaN");
    }
    if (Double.isInfinite(score)) {
      return score > 0 ? "+inf" : "-inf";
    }
    if (score == Math.rint(score) && Math.abs(score) < 1e15) {
      return Long.toString((long) score);
    }
    return Double.toString(score);
  }
}
