package dev.redraft.client;

import static dev.redraft.client.testing.ScriptedServer.answer;
import static dev.redraft.client.testing.TestReplies.bulk;
import static dev.redraft.client.testing.TestReplies.bulks;
import static dev.redraft.client.testing.TestReplies.integer;
import static dev.redraft.client.testing.TestReplies.nil;
import static dev.redraft.client.testing.TestReplies.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.Reply;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The typed helpers send the right command, on the right RPC, and convert the reply. */
@Timeout(30)
class TypedCommandsTest {
  private final Map<String, Reply> repliesByCommand = new ConcurrentHashMap<>();
  private ScriptedServer node;
  private RedraftClient client;

  @BeforeEach
  void start() {
    node = new ScriptedServer();
    node.onWrite((request, observer) ->
        answer(observer, node.writeReply(replyFor(request.getCommands(0)))));
    node.onRead((request, observer) -> answer(observer, node.readReply(replyFor(request.getCommand()))));
    client = RedraftClient.builder().endpoints(node.endpoint()).channelFactory(ScriptedServer.channels()).build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    node.close();
  }

  private Reply replyFor(Command command) {
    return repliesByCommand.getOrDefault(command.getName(), ok());
  }

  private void reply(String command, Reply reply) {
    repliesByCommand.put(command, reply);
  }

  private List<String> lastWrite() {
    Command command = node.writes.get(node.writes.size() - 1).getCommands(0);
    return argv(command);
  }

  private List<String> lastRead() {
    var read = node.reads.get(node.reads.size() - 1);
    assertThat(read.getConsistency()).isEqualTo(ReadConsistency.LINEARIZABLE);
    return argv(read.getCommand());
  }

  private static List<String> argv(Command command) {
    var argv = new java.util.ArrayList<String>();
    argv.add(command.getName());
    command.getArgsList().forEach(arg -> argv.add(arg.toStringUtf8()));
    return argv;
  }

  @Test
  void setSendsItsOptionsAndReportsAFailedCondition() {
    assertThat(client.set("k", "v")).isTrue();
    assertThat(lastWrite()).containsExactly("SET", "k", "v");

    reply("SET", nil());
    assertThat(client.set("k", "v", SetOptions.ex(10).nx())).isFalse();
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "EX", "10", "NX");

    client.set("k", "v", SetOptions.keepTtl().xx());
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "KEEPTTL", "XX");
    assertThatThrownBy(() -> SetOptions.px(5).nx().xx()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NX or XX");
  }

  @Test
  void stringHelpersConvertTheirReplies() {
    reply("GET", nil());
    assertThat(client.get("missing")).isNull();
    assertThat(lastRead()).containsExactly("GET", "missing");

    reply("GET", bulk("héllo"));
    assertThat(client.get("k")).isEqualTo("héllo");
    assertThat(client.get("k".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));

    reply("MGET", bulks("1", null, "3"));
    assertThat(client.mget("a", "b", "c")).containsExactly("1", null, "3");

    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("a", "1");
    entries.put("b", "2");
    client.mset(entries);
    assertThat(lastWrite()).containsExactly("MSET", "a", "1", "b", "2");

    reply("INCRBY", integer(42));
    assertThat(client.incrBy("n", 40)).isEqualTo(42);
    assertThat(lastWrite()).containsExactly("INCRBY", "n", "40");
    reply("DECRBY", integer(-3));
    assertThat(client.decrBy("n", 3)).isEqualTo(-3);
    reply("STRLEN", integer(5));
    assertThat(client.strlen("k")).isEqualTo(5);
  }

  @Test
  void keyHelpersSendWritesAndReadsToTheirRpc() {
    reply("DEL", integer(2));
    assertThat(client.del("a", "b", "c")).isEqualTo(2);
    assertThat(lastWrite()).containsExactly("DEL", "a", "b", "c");

    reply("EXPIRE", integer(1));
    assertThat(client.expire("a", 10)).isTrue();
    reply("PEXPIREAT", integer(0));
    assertThat(client.pexpireAt("a", 1_900_000_000_000L)).isFalse();
    assertThat(lastWrite()).containsExactly("PEXPIREAT", "a", "1900000000000");

    reply("TTL", integer(-2));
    assertThat(client.ttl("gone")).isEqualTo(-2);
    reply("EXISTS", integer(1));
    assertThat(client.exists("a")).isEqualTo(1);
    assertThat(node.reads).extracting(r -> r.getCommand().getName()).containsExactly("TTL", "EXISTS");
    assertThat(node.writes).extracting(w -> w.getCommands(0).getName()).containsExactly("DEL", "EXPIRE", "PEXPIREAT");
  }

  @Test
  void hashListSetAndSortedSetHelpers() {
    reply("HGETALL", bulks("f1", "v1", "f2", "v2"));
    assertThat(client.hgetAll("h")).containsExactly(Map.entry("f1", "v1"), Map.entry("f2", "v2"));
    reply("HSET", integer(1));
    assertThat(client.hset("h", "f", "v")).isEqualTo(1);
    assertThat(lastWrite()).containsExactly("HSET", "h", "f", "v");
    reply("HDEL", integer(2));
    assertThat(client.hdel("h", "f1", "f2")).isEqualTo(2);
    assertThat(lastWrite()).containsExactly("HDEL", "h", "f1", "f2");

    reply("RPUSH", integer(3));
    assertThat(client.rpush("l", "a", "b", "c")).isEqualTo(3);
    reply("LRANGE", bulks("a", "b"));
    assertThat(client.lrange("l", 0, -1)).containsExactly("a", "b");
    assertThat(lastRead()).containsExactly("LRANGE", "l", "0", "-1");
    reply("LPOP", nil());
    assertThat(client.lpop("empty")).isNull();

    reply("SMEMBERS", bulks("x", "y"));
    assertThat(client.smembers("s")).containsExactly("x", "y");
    reply("SISMEMBER", integer(0));
    assertThat(client.sismember("s", "z")).isFalse();

    reply("ZADD", integer(1));
    client.zadd("z", 2.0, "two");
    assertThat(lastWrite()).containsExactly("ZADD", "z", "2", "two");
    client.zadd("z", 1.5, "one-and-a-half");
    assertThat(lastWrite()).containsExactly("ZADD", "z", "1.5", "one-and-a-half");
    client.zadd("z", Double.NEGATIVE_INFINITY, "bottom");
    assertThat(lastWrite()).containsExactly("ZADD", "z", "-inf", "bottom");
    reply("ZSCORE", bulk("1.5"));
    assertThat(client.zscore("z", "one-and-a-half")).isEqualTo(1.5);
    reply("ZSCORE", nil());
    assertThat(client.zscore("z", "nobody")).isNull();
    reply("ZINCRBY", bulk("inf"));
    assertThat(client.zincrBy("z", 1, "bottom")).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void theGenericCommandPicksReadOrWriteFromTheReadList() {
    reply("get", bulk("v"));
    Reply reply = client.command("get", "k");
    assertThat(reply.getBulk()).isEqualTo(ByteString.copyFromUtf8("v"));
    assertThat(node.reads).hasSize(1);

    client.command("LTRIM", "l", "0", "1");
    assertThat(node.writes).hasSize(1);
    assertThat(lastWrite()).containsExactly("LTRIM", "l", "0", "1");
  }

  @Test
  void anUnexpectedReplyTypeIsAClearError() {
    reply("INCR", bulk("not a number"));
    assertThatThrownBy(() -> client.incr("k")).isInstanceOf(RedraftException.class)
        .hasMessageContaining("expected integer reply, got bulk");
  }
}
