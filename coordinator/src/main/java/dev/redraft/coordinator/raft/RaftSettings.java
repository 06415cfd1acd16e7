package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.ConfigKey;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every Ratis setting Redraft relies on, set explicitly (see notes/ratis.md for why each matters). */
final class RaftSettings {
  /** One log entry must fit in the appender buffer; a request is limited well below it. */
  static final SizeInBytes APPENDER_BUFFER = SizeInBytes.valueOf("4MB");
  static final SizeInBytes GRPC_MESSAGE_MAX = SizeInBytes.valueOf("8MB");
  static final SizeInBytes LOG_WRITE_BUFFER = SizeInBytes.valueOf("8MB");
  /**
   * Wait after the n-th consecutive failed append to a follower: 1 ms for the first 10, 100 ms for the
   * next 20, then 500 ms (randomized by half either way). Past the last count Ratis stops waiting at all,
   * so the last count is large: a follower down for a week and more.
   */
  static final String APPENDER_RETRY_POLICY = "1ms,10, 100ms,20, 500ms,2000000";
  /** A JVM pause longer than this closes the node's Raft server (Ratis); a year: never, in practice. */
  static final TimeDuration PAUSE_CLOSE_THRESHOLD = TimeDuration.valueOf(365, TimeUnit.DAYS);

  private static final Logger LOG = LoggerFactory.getLogger(RaftSettings.class);

  private RaftSettings() {}

  /** Where the node's Raft groups keep their logs and metadata: a subdirectory per group. */
  static Path storageDir(NodeConfig config) {
    return config.dataDir().resolve("raft");
  }

  static RaftProperties server(NodeConfig config) {
    RaftProperties props = new RaftProperties();
    if (config.commitHeartbeats()) {
      // Ratis' gRPC transport, with followers told of commits at once (CommitHeartbeats).
      RaftConfigKeys.Rpc.setType(props, new CommitHeartbeats());
    }
    RaftServerConfigKeys.setStorageDir(props, List.of(storageDir(config).toFile()));
    GrpcConfigKeys.Server.setHost(props, config.raftAddress().host());
    GrpcConfigKeys.Server.setPort(props, config.raftAddress().port());
    GrpcConfigKeys.setMessageSizeMax(props, GRPC_MESSAGE_MAX);
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, APPENDER_BUFFER);
    // How long a leader's appender waits after each failed append to a follower, by consecutive failures.
    // Ratis' default (1ms x10, 1s x20, then 5s) counts every heartbeat that timed out: a follower cut off
    // for 8 s had ~370 failures, so after the heal its appender retried every 5 s, and a follower of
    // one group stayed 8-10 s behind (fault runs, sharded: the next fault then left that group without
    // a caught-up majority). A failed attempt to a follower that is down costs one RPC.
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(props, APPENDER_RETRY_POLICY);
    RaftServerConfigKeys.Log.setWriteBufferSize(props, LOG_WRITE_BUFFER);
    // No METADATA entry (the commit index) after each commit: it doubled the appends, fsyncs and
    // appendEntries rounds per write. Durability is unchanged (every entry is fsynced on a majority
    // before it commits); a restarted node learns the commit index from the leader, as Raft does.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
    // Followers append on the request's own thread (SerialAppendEntries lets one request in at a
    // time). Ratis 3.3.0's default composes appends on its server pool: in a 30-minute fault run, a
    // follower that rejoined after a partition ran two at once ("SegmentedRaftLog: Already running a
    // method"), lost entries it had acknowledged, and the leader, trusting its match index, never
    // brought it back. (Likely cause: the compose chain is extended inside AtomicReference.updateAndGet,
    // whose function runs again when two streams race, scheduling an append twice.) Measured cost:
    // none visible (GroupCommitTest, 1,920 writes by 48 writers: 12.8-14.1 s off, 14.2-14.4 s on).
    RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(props, false);
    // Reads go through ReadIndex; the DEFAULT option serves stale reads from a deposed leader.
    RaftServerConfigKeys.Read.setOption(props, readOption(config));
    RaftServerConfigKeys.Read.setTimeout(props, TimeDuration.valueOf(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
    // Slow disks and GC pauses on small machines: the 150-300 ms defaults cause needless elections.
    RaftServerConfigKeys.Rpc.setTimeoutMin(props,
        TimeDuration.valueOf(config.electionTimeoutMin().toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props,
        TimeDuration.valueOf(config.electionTimeoutMax().toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    // A node frozen for minutes (SIGSTOP, a paused container or VM) comes back on its own. Ratis closes
    // the whole server after a JVM pause over its close threshold (60 s by default), and the node then
    // served nothing until restarted: a 2-minute pause of every node left a cluster with no Raft server at
    // all. Raft is safe over pauses of any length; a leader paused over the step-down wait time (10 s)
    // still steps down, and no read relies on a lease (LeadershipConfirmation asks a majority per read).
    RaftServerConfigKeys.setCloseThreshold(props, PAUSE_CLOSE_THRESHOLD);
    // Snapshots of the Redis state every snapshot-threshold entries; the log behind the newest one is
    // purged even if a follower still needs it (that follower gets the snapshot instead).
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, config.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, config.snapshotRetain());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
    RaftServerConfigKeys.Log.setPurgeGap(props, 1);
    RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(config.logSegmentSizeBytes()));
    // Ratis ships snapshot files to a follower that is behind the leader's log (the default, set here
    // because every peer must agree on it).
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(props, true);
    return props;
  }

  /**
   * Objects (not settings) the Ratis server is built with; {@code tls} null: plaintext. {@code votes}
   * sees the server's vote calls for the groups' election timers.
   */
  static Parameters serverParameters(TlsMaterial tls, BehindCandidateVotes votes, LeasedPreVotes preVotes,
      LeaderStreamLoss streamLoss) {
    Parameters parameters = clientParameters(tls);
    SerialAppendEntries appendGate = new SerialAppendEntries();
    GrpcConfigKeys.Server.setServicesCustomizer(parameters, new GrpcServices.Customizer() {
      @Override
      public NettyServerBuilder customize(NettyServerBuilder builder, EnumSet<GrpcServices.Type> types) {
        // Compose off is not enough on its own: see SerialAppendEntries.
        return types.contains(GrpcServices.Type.SERVER)
            ? builder.intercept(preVotes).intercept(appendGate).intercept(streamLoss).intercept(votes)
                .callExecutor(SerialAppendEntries::appendEntriesOnTheTransportThread)
            : builder;
      }
    });
    return parameters;
  }

  /** Objects every Raft client of this node is built with: mutual TLS when {@code tls} is given. */
  static Parameters clientParameters(TlsMaterial tls) {
    Parameters parameters = new Parameters();
    if (tls != null) {
      GrpcConfigKeys.TLS.setConf(parameters, RaftTls.of(tls));
    }
    return parameters;
  }

  /** Membership changes wait for a new member to catch up (possibly from a large snapshot). */
  static RaftProperties adminClient() {
    RaftProperties props = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(60, TimeUnit.SECONDS));
    GrpcConfigKeys.setMessageSizeMax(props, GRPC_MESSAGE_MAX);
    return props;
  }

  /** LINEARIZABLE, except under the test-only switch the fault harness uses to prove its checker works. */
  static RaftServerConfigKeys.Read.Option readOption(NodeConfig config) {
    if (config.unsafeReadOptionDefault()) {
      LOG.warn("node {}: {}=true: reads use Ratis' DEFAULT option and can be STALE. This is a test-only "
          + "harness self-test switch; never use it in production", config.nodeId(),
          ConfigKey.UNSAFE_READ_OPTION_DEFAULT.key());
      return RaftServerConfigKeys.Read.Option.DEFAULT;
    }
    return RaftServerConfigKeys.Read.Option.LINEARIZABLE;
  }

  static RaftProperties client(NodeConfig config) {
    RaftProperties props = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    GrpcConfigKeys.setMessageSizeMax(props, GRPC_MESSAGE_MAX);
    return props;
  }
}
