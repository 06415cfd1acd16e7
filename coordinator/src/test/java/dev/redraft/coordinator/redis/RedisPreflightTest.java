package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.testing.ClusterScriptAcl;
import dev.redraft.coordinator.testing.FreePorts;
import dev.redraft.coordinator.testing.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** A Redis that Redraft could not keep consistent is refused at start, naming the setting and the fix. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisPreflightTest {
  @TempDir
  static Path dir;
  static RedisServerProcess server;

  @BeforeAll
  static void startRedis() {
    server = RedisServerProcess.start(dir.resolve("redis"));
  }

  @AfterAll
  static void stopRedis() {
    server.stop();
  }

  @BeforeEach
  void resetRedis() {
    try (Jedis jedis = server.jedis()) {
      jedis.replicaofNoOne();
      jedis.flushAll();
      jedis.configSet("maxmemory-policy", "noeviction");
      jedis.configSet("bind", "127.0.0.1");
    }
  }

  private static RedisEndpoint endpoint(String password) {
    return new RedisEndpoint("127.0.0.1", server.port(), password, Duration.ofSeconds(5));
  }

  @Test
  void aCorrectlySetUpRedisPasses() {
    assertThatCode(() -> RedisPreflight.check(endpoint(server.password()), false)).doesNotThrowAnyException();
  }

  @Test
  void wrongOrMissingPassword() {
    assertThatThrownBy(() -> RedisPreflight.check(endpoint("wrong"), false))
        .hasMessageContaining("redis-password");
    assertThatThrownBy(() -> RedisPreflight.check(endpoint(""), false))
        .hasMessageContaining("redis-password");
  }

  /** The rule scripts/cluster.sh gives the coordinator's user passes, without the "broader than needed" warning. */
  @Test
  void theLockedDownUserOfTheScriptsPasses() {
    try (Jedis admin = server.jedis()) {
      ClusterScriptAcl.createUser(admin, "redraft-preflight", "pw-1", ClusterScriptAcl.coordinatorRule());
      try {
        RedisEndpoint user = userEndpoint("redraft-preflight", "pw-1");
        assertThatCode(() -> RedisPreflight.check(user, false)).doesNotThrowAnyException();
        try (Jedis jedis = user.connect()) {
          assertThat(RedisPreflight.broaderThanNeeded(jedis)).as("the scripts' user may run CONFIG SET").isFalse();
        }
        try (Jedis jedis = server.jedis()) {
          assertThat(RedisPreflight.broaderThanNeeded(jedis)).as("the default user may run CONFIG SET").isTrue();
        }
      } finally {
        admin.aclDelUser("redraft-preflight");
      }
    }
  }

  /** A user the ACL denies DEBUG DIGEST and RESTORE is refused, naming the user and the rules to add. */
  @Test
  void aUserLackingCommandsRedraftNeedsIsToldWhichRulesToAdd() {
    try (Jedis admin = server.jedis()) {
      ClusterScriptAcl.createUser(admin, "lacks-digest", "pw-2", ClusterScriptAcl.coordinatorRule() + " -debug -restore");
      try {
        assertThatThrownBy(() -> RedisPreflight.check(userEndpoint("lacks-digest", "pw-2"), false))
            .hasMessageContaining("user 'lacks-digest'")
            .hasMessageContaining("2 command(s) Redraft needs (NOPERM): +debug|digest +restore")
            .hasMessageContaining("ACL SETUSER lacks-digest +debug|digest +restore");
      } finally {
        admin.aclDelUser("lacks-digest");
      }
    }
  }

  @Test
  void wrongPasswordOfAnAclUserNamesTheUserAndBothKeys() {
    try (Jedis admin = server.jedis()) {
      ClusterScriptAcl.createUser(admin, "redraft-wrongpass", "pw-3", ClusterScriptAcl.coordinatorRule());
      try {
        assertThatThrownBy(() -> RedisPreflight.check(userEndpoint("redraft-wrongpass", "not-pw-3"), false))
            .hasMessageContaining("user 'redraft-wrongpass'").hasMessageContaining("WRONGPASS")
            .hasMessageContaining("redis-user").hasMessageContaining("redis-password");
      } finally {
        admin.aclDelUser("redraft-wrongpass");
      }
    }
  }

  private static RedisEndpoint userEndpoint(String user, String password) {
    return new RedisEndpoint("127.0.0.1", server.port(), user, password, Duration.ofSeconds(5));
  }

  @Test
  void unreachable() {
    RedisEndpoint nobody = new RedisEndpoint("127.0.0.1", FreePorts.next(), "x", Duration.ofSeconds(2));
    assertThatThrownBy(() -> RedisPreflight.check(nobody, false))
        .hasMessageContaining("not reachable").hasMessageContaining("redis-address");
  }

  @Test
  void evictionPolicy() {
    try (Jedis jedis = server.jedis()) {
      jedis.configSet("maxmemory-policy", "allkeys-lru");
    }
    assertThatThrownBy(() -> RedisPreflight.check(endpoint(server.password()), false))
        .hasMessageContaining("maxmemory-policy allkeys-lru").hasMessageContaining("noeviction");
  }

  @Test
  void aReplicaIsRefused() {
    try (Jedis jedis = server.jedis()) {
      jedis.replicaof("127.0.0.1", FreePorts.next());
    }
    assertThatThrownBy(() -> RedisPreflight.check(endpoint(server.password()), false))
        .hasMessageContaining("replica").hasMessageContaining("replicaof");
  }

  @Test
  void nonLoopbackBindIsRefusedUnlessAllowed() {
    try (Jedis jedis = server.jedis()) {
      jedis.configSet("bind", "* -::*");
    }
    assertThatThrownBy(() -> RedisPreflight.check(endpoint(server.password()), false))
        .hasMessageContaining("bind 127.0.0.1");
    assertThatCode(() -> RedisPreflight.check(endpoint(server.password()), true)).doesNotThrowAnyException();
  }

  @Test
  void aRedisHoldingForeignDataIsRefused() {
    try (Jedis jedis = server.jedis()) {
      jedis.set("someone-elses", "data");
    }
    assertThatThrownBy(() -> RedisPreflight.check(endpoint(server.password()), false))
        .hasMessageContaining("not a Redraft replica");
  }
}
