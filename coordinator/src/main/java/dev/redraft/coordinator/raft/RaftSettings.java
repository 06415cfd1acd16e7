package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.NodeConfig;
import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Every Ratis setting Redraft relies on, set explicitly (see notes/ratis.md for why each matters). */
final class RaftSettings {
  /** One log entry must fit in the appender buffer; a request is limited well below it. */
  static final SizeInBytes APPENDER_BUFFER = SizeInBytes.valueOf("4MB");
  static final SizeInBytes GRPC_MESSAGE_MAX = SizeInBytes.valueOf("8MB");
  static final SizeInBytes LOG_WRITE_BUFFER = SizeInBytes.valueOf("8MB");

  private RaftSettings() {}

  static RaftProperties server(NodeConfig config) {
    RaftProperties props = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(props, List.of(new File(config.dataDir().toFile(), "raft")));
    GrpcConfigKeys.Server.setHost(props, config.raftAddress().host());
    GrpcConfigKeys.Server.setPort(props, config.raftAddress().port());
    GrpcConfigKeys.setMessageSizeMax(props, GRPC_MESSAGE_MAX);
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, APPENDER_BUFFER);
    RaftServerConfigKeys.Log.setWriteBufferSize(props, LOG_WRITE_BUFFER);
    // No METADATA entry (the commit index) after each commit: it doubled the appends, fsyncs and
    // appendEntries rounds per write. Durability is unchanged (every entry is fsynced on a majority
    // before it commits); a restarted node learns the commit index from the leader, as Raft does.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
    // Reads go through ReadIndex; the DEFAULT option serves stale reads from a deposed leader.
    RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(props, TimeDuration.valueOf(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
    // Slow disks and GC pauses on small machines: the 150-300 ms defaults cause needless elections.
    RaftServerConfigKeys.Rpc.setTimeoutMin(props,
        TimeDuration.valueOf(config.electionTimeoutMin().toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props,
        TimeDuration.valueOf(config.electionTimeoutMax().toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    // Snapshots of the Redis state come with membership support; until then the log is kept whole.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, false);
    return props;
  }

  static RaftProperties client(NodeConfig config) {
    RaftProperties props = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    GrpcConfigKeys.setMessageSizeMax(props, GRPC_MESSAGE_MAX);
    return props;
  }
}
