package dev.redraft.coordinator.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.command.CommandCatalog;
import dev.redraft.coordinator.testing.RedisServerProcess;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The RESP port with Jedis, unchanged, against a real 3-node cluster: the same command sequence gives
 * the same replies as a plain redis-server; writes through one node are read through any other;
 * pipelines keep their order; MULTI/EXEC is atomic; connection commands behave as Redis' do.
 */
class RespPortIT {
  static final String PASSWORD = "resp-test-secret";

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static RedisServerProcess plainRedis;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(3, dir.resolve("cluster"), Map.of("resp-password", PASSWORD));
    plainRedis = RedisServerProcess.start(dir.resolve("plain"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    if (plainRedis != null) {
      plainRedis.stop();
    }
  }

  static Jedis jedis(int node) {
    return jedis(node, RedisProtocol.RESP2);
  }

  static Jedis jedis(int node, RedisProtocol protocol) {
    return new Jedis(new HostAndPort("127.0.0.1", cluster.respPort(node)),
        DefaultJedisClientConfig.builder().password(PASSWORD).protocol(protocol).timeoutMillis(20_000).build());
  }

  /** Each command as Redis would be sent it, and Redraft's reply, normalized for comparison. */
  private static final String[][] SEQUENCE = {
      {"SET", "s1", "hello"}, {"GET", "s1"}, {"APPEND", "s1", " world"}, {"STRLEN", "s1"}, {"GET", "s1"},
      {"INCR", "n"}, {"INCRBY", "n", "10"}, {"DECR", "n"}, {"DECRBY", "n", "3"}, {"GET", "n"}, {"INCR", "s1"},
      {"MSET", "a", "1", "b", "2"}, {"MGET", "a", "b", "missing"}, {"EXISTS", "a", "b", "missing"},
      {"DEL", "a", "missing"}, {"SET", "s2", "v", "NX"}, {"SET", "s2", "w", "XX", "GET"}, {"SET", "s2", "x", "NX"},
      {"HSET", "h", "f1", "v1", "f2", "v2"}, {"HGET", "h", "f1"}, {"HINCRBY", "h", "c", "5"}, {"HLEN", "h"},
      {"HDEL", "h", "f2"}, {"HGETALL", "h"}, {"HGETALL", "missing"}, {"GET", "h"},
      {"LPUSH", "l", "a", "b", "c"}, {"RPUSH", "l", "d"}, {"LRANGE", "l", "0", "-1"}, {"LPOP", "l"},
      {"RPOP", "l", "2"}, {"LLEN", "l"}, {"LTRIM", "l", "0", "0"}, {"LRANGE", "l", "0", "-1"},
      {"SADD", "s", "x", "y", "z"}, {"SREM", "s", "y"}, {"SISMEMBER", "s", "x"}, {"SCARD", "s"},
      {"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZINCRBY", "z", "5", "a"}, {"ZSCORE", "z", "a"},
      {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZREM", "z", "b"}, {"ZCARD", "z"},
      {"ZRANGE", "z", "0", "10", "BYSCORE", "LIMIT", "0", "1"},
      {"EXPIRE", "s1", "100"}, {"TTL", "s1"}, {"PERSIST", "s1"}, {"TTL", "s1"}, {"DEL", "s1", "n", "h", "l", "s", "z"},
      {"GET", "s1"}, {"LPOP", "l"}, {"SET", "k"}, {"INCRBY", "n", "x"},
  };

  @Test
  void repliesAreRedisOwnForTheSameSequence() {
    try (Jedis redraft = jedis(1); Jedis redis = plainRedis.jedis()) {
      for (String[] command : SEQUENCE) {
        String expected = normalized(redis, command);
        assertThat(normalized(redraft, command)).as("reply to %s", String.join(" ", command)).isEqualTo(expected);
      }
    }
  }

  @Test
  void writesThroughOneNodeAreReadThroughEveryNode() {
    try (Jedis n0 = jedis(0); Jedis n1 = jedis(1); Jedis n2 = jedis(2)) {
      for (int i = 0; i < 20; i++) {
        Jedis writer = List.of(n0, n1, n2).get(i % 3);
        writer.set("any:" + i, "v" + i);
        // Linearizable by default: the very next read, on any node, sees the write.
        assertThat(List.of(n0, n1, n2).get((i + 1) % 3).get("any:" + i)).isEqualTo("v" + i);
      }
    }
  }

  @Test
  void pipelinedCommandsRunInOrder() {
    int leader = cluster.awaitLeader();
    try (Jedis follower = jedis((leader + 1) % 3)) {
      Pipeline pipeline = follower.pipelined();
      List<Response<String>> reads = new ArrayList<>();
      List<Response<Long>> increments = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        increments.add(pipeline.incr("pipe:counter"));
        reads.add(pipeline.get("pipe:counter"));
      }
      pipeline.sync();
      for (int i = 0; i < 100; i++) {
        assertThat(increments.get(i).get()).isEqualTo(i + 1);
        assertThat(reads.get(i).get()).as("read %d sees the increment before it and none after", i)
            .isEqualTo(Integer.toString(i + 1));
      }
    }
  }

  @Test
  void multiExecIsAllOrNothing() {
    try (Jedis jedis = jedis(0); Jedis other = jedis(2)) {
      Transaction ok = jedis.multi();
      ok.set("tx:a", "1");
      ok.incrBy("tx:a", 5);
      ok.lpush("tx:list", "x");
      assertThat(ok.exec()).containsExactly("OK", 6L, 1L);
      assertThat(other.get("tx:a")).isEqualTo("6");

      // A command failing at run time rolls the whole transaction back (Redis would keep the rest).
      other.set("tx:text", "not a number");
      Transaction failing = jedis.multi();
      failing.set("tx:b", "written?");
      failing.incr("tx:text");
      assertThatThrownBy(failing::exec).isInstanceOf(JedisDataException.class)
          .hasMessageContaining("EXECABORT").hasMessageContaining("command 2 (INCR)");
      assertThat(other.exists("tx:b")).as("nothing of a rolled-back transaction is applied").isFalse();

      // A command refused while queued discards the transaction, as in Redis.
      Object queued = rawOrError(jedis, "MULTI");
      assertThat(queued).isEqualTo("OK");
      assertThat(rawOrError(jedis, "SET", "tx:c", "1")).isEqualTo("QUEUED");
      assertThat(rawOrError(jedis, "SET", "tx:c")).asString().startsWith("-ERR wrong number of arguments");
      assertThat(rawOrError(jedis, "EXEC")).asString().startsWith("-EXECABORT");
      assertThat(other.exists("tx:c")).isFalse();

      // A transaction of one read, with and without a watched key.
      rawOrError(jedis, "MULTI");
      rawOrError(jedis, "GET", "tx:a");
      assertThat(rawOrError(jedis, "EXEC")).isEqualTo(List.of("6"));
      rawOrError(jedis, "WATCH", "tx:a");
      rawOrError(jedis, "MULTI");
      rawOrError(jedis, "GET", "tx:a");
      assertThat(rawOrError(jedis, "EXEC")).isEqualTo(List.of("6"));
      // What a batch refuses fails the transaction when it is queued.
      rawOrError(jedis, "MULTI");
      assertThat(rawOrError(jedis, "SMEMBERS", "tx:set")).asString().startsWith("-ERR SMEMBERS cannot be part of");
      assertThat(rawOrError(jedis, "EXEC")).asString().startsWith("-EXECABORT");

      assertThat(rawOrError(jedis, "EXEC")).isEqualTo("-ERR EXEC without MULTI");
      assertThat(rawOrError(jedis, "DISCARD")).isEqualTo("-ERR DISCARD without MULTI");
      rawOrError(jedis, "MULTI");
      assertThat(rawOrError(jedis, "MULTI")).isEqualTo("-ERR MULTI calls can not be nested");
      rawOrError(jedis, "SET", "tx:d", "1");
      assertThat(rawOrError(jedis, "DISCARD")).isEqualTo("OK");
      assertThat(other.exists("tx:d")).isFalse();
    }
  }

  @Test
  void watchedKeysDecideExecAtApplyTime() {
    try (Jedis a = jedis(0); Jedis b = jedis(1)) {
      a.set("w:k", "1");
      a.watch("w:k");
      Transaction untouched = a.multi();
      untouched.incr("w:k");
      assertThat(untouched.exec()).containsExactly(2L);

      a.watch("w:k");
      b.set("w:k", "changed");
      Transaction changed = a.multi();
      changed.set("w:k", "mine");
      assertThat(changed.exec()).as("EXEC after another connection changed a watched key").isNull();
      assertThat(b.get("w:k")).isEqualTo("changed");

      a.watch("w:k");
      b.set("w:k", "again");
      a.unwatch();
      Transaction unwatched = a.multi();
      unwatched.set("w:k", "mine");
      assertThat(unwatched.exec()).containsExactly("OK");

      a.watch("w:created");
      b.set("w:created", "x");
      Transaction created = a.multi();
      created.del("w:created");
      assertThat(created.exec()).as("a watched key that was created meanwhile").isNull();

      a.watch("w:k");
      b.expire("w:k", 100);
      Transaction ttl = a.multi();
      ttl.set("w:k", "z");
      assertThat(ttl.exec()).as("a watched key that got a TTL meanwhile").isNull();

      rawOrError(a, "MULTI");
      assertThat(rawOrError(a, "WATCH", "w:k")).isEqualTo("-ERR WATCH inside MULTI is not allowed");
      rawOrError(a, "DISCARD");
    }
  }

  @Test
  void concurrentCheckAndSetLosesNoUpdate() throws Exception {
    int threads = 4;
    int increments = 15;
    try (Jedis setup = jedis(0)) {
      setup.set("cas:counter", "0");
    }
    java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      int node = t % 3;
      Thread worker = new Thread(() -> {
        try (Jedis jedis = jedis(node)) {
          for (int i = 0; i < increments; i++) {
            while (true) {
              jedis.watch("cas:counter");
              long value = Long.parseLong(jedis.get("cas:counter"));
              Transaction tx = jedis.multi();
              tx.set("cas:counter", Long.toString(value + 1));
              if (tx.exec() != null) {
                break;
              }
              conflicts.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join(120_000);
    }
    assertThat(failures).isEmpty();
    try (Jedis check = jedis(2)) {
      // Read-then-SET increments: any EXEC that ran on a stale read would lose an update.
      assertThat(check.get("cas:counter")).isEqualTo(Integer.toString(threads * increments));
    }
    // Every replica decided every EXEC alike: their Redis are identical at the same index.
    cluster.awaitSameAppliedIndex();
    assertThat(cluster.digest(1)).isEqualTo(cluster.digest(0));
    assertThat(cluster.digest(2)).isEqualTo(cluster.digest(0));
  }

  @Test
  void connectionCommandsAnswerAsRedisDoes() {
    try (Jedis jedis = jedis(1)) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      assertThat(jedis.echo("hi")).isEqualTo("hi");
      assertThat(jedis.clientSetname("worker-1")).isEqualTo("OK");
      assertThat(jedis.clientGetname()).isEqualTo("worker-1");
      assertThat(jedis.clientInfo()).contains("name=worker-1");
      assertThat(jedis.select(0)).isEqualTo("OK");
      assertThatThrownBy(() -> jedis.select(1)).hasMessageContaining("DB index is out of range");
      long now = System.currentTimeMillis() / 1000;
      assertThat(Long.parseLong(jedis.time().get(0))).isBetween(now - 5, now + 5);
      jedis.set("info:k", "v");
      String info = jedis.info();
      assertThat(info).contains("# Keyspace", "db0:keys=", "# Raft", "raft_leader_id:" + TestCluster.id(cluster.awaitLeader()),
          "redraft_node_id:" + TestCluster.id(1), "connected_clients:");
      assertThat(jedis.info("replication")).contains("role:").doesNotContain("# Raft");
      assertThat(rawOrError(jedis, "COMMAND", "COUNT")).isEqualTo((long) CommandCatalog.supported().size());
      assertThat(rawOrError(jedis, "CONFIG", "GET", "databases")).isEqualTo(List.of("databases", "1"));
      assertThat(rawOrError(jedis, "CONFIG", "SET", "maxmemory", "1")).asString().startsWith("-ERR CONFIG SET is not supported");
      assertThat(rawOrError(jedis, "NOSUCHCOMMAND")).asString().startsWith("-ERR unknown command 'NOSUCHCOMMAND'");
      assertThat(rawOrError(jedis, "EVAL", "return 1", "0")).asString()
          .startsWith("-ERR EVAL is not supported by Redraft: it is nondeterministic");
      assertThat(rawOrError(jedis, "SET", "__redraft:applied", "0")).asString().contains("reserved");
    }
  }

  @Test
  void resp3GivesMapsAndSetsAndNulls() {
    try (Jedis jedis = jedis(2, RedisProtocol.RESP3)) {
      jedis.hset("r3:h", Map.of("a", "1", "b", "2"));
      assertThat(jedis.hgetAll("r3:h")).isEqualTo(Map.of("a", "1", "b", "2"));
      jedis.sadd("r3:s", "x", "y");
      assertThat(jedis.smembers("r3:s")).containsExactlyInAnyOrder("x", "y");
      assertThat(jedis.get("r3:missing")).isNull();
      jedis.zadd("r3:z", 1.5, "m");
      assertThat(jedis.zscore("r3:z", "m")).isEqualTo(1.5);
    }
  }

  @Test
  void authenticationIsRequired() {
    try (Jedis anonymous = new Jedis("127.0.0.1", cluster.respPort(0))) {
      assertThatThrownBy(() -> anonymous.get("k")).hasMessageContaining("NOAUTH Authentication required");
      assertThatThrownBy(() -> anonymous.auth("wrong")).hasMessageContaining("WRONGPASS");
      assertThat(anonymous.auth(PASSWORD)).isEqualTo("OK");
      anonymous.set("auth:k", "v");
      assertThat(anonymous.get("auth:k")).isEqualTo("v");
    }
  }

  /** A reply as a comparable string: +status, $bulk, :integer, [array], nil, or -CODE of an error. */
  private static String normalized(Jedis jedis, String[] command) {
    Object reply = rawOrError(jedis, command);
    if (reply instanceof String s && s.startsWith("-")) {
      return s.split(" ")[0];
    }
    return String.valueOf(reply);
  }

  /** The reply with byte arrays decoded, or "-" + the error's message. */
  static Object rawOrError(Jedis jedis, String... command) {
    ProtocolCommand name = () -> SafeEncoder.encode(command[0]);
    String[] args = java.util.Arrays.copyOfRange(command, 1, command.length);
    try {
      return decode(jedis.sendCommand(name, args));
    } catch (JedisDataException e) {
      return "-" + e.getMessage();
    }
  }

  private static Object decode(Object reply) {
    if (reply instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (reply instanceof List<?> list) {
      return list.stream().map(RespPortIT::decode).toList();
    }
    return reply;
  }
}
