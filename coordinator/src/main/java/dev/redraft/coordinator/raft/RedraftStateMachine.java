package dev.redraft.coordinator.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.InvalidCommandException;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.redis.ApplyOutcome;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.ApplyResult;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.redis.RedisSnapshots;
import dev.redraft.coordinator.errors.NotReadyException;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.ReadQuery;
import dev.redraft.coordinator.security.TokenRules;
import dev.redraft.log.v1.WriteGroupResult;
import dev.redraft.log.v1.WriteResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine: a thin adapter. The leader validates proposals and makes them
 * deterministic ({@link EntryTranslator}); every node applies committed entries to its own Redis
 * through the {@link ApplyPipeline}; reads run against the local Redis once it has applied
 * everything up to the read index. Snapshots are the Redis dataset at an exact log index
 * ({@link SnapshotStore}); a follower that gets the leader's snapshot loads it into its Redis.
 */
public final class RedraftStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(RedraftStateMachine.class);
  /** The leader's mark, from start to apply, on an entry a follower forwarded. */
  private static final Object FORWARDED = new Object();

  private final String nodeId;
  /** " (group G)" in a sharded cluster, for log lines that several groups' replicas on a node write. */
  private volatile String groupLabel = "";
  private final RedisApplier applier;
  private final RedisReader reader;
  private final NodeHealth health;
  private final MemberDirectory members;
  private final EntryTranslator translator;
  private final int applyBatchMax;
  private final SnapshotStore snapshots;
  private final RedisSnapshots redisSnapshots;
  private final SnapshotTaker snapshotTaker;
  private final LocalReads reads;
  private final RedraftMetrics metrics;
  /** Highest logical time handed out or applied: entries' times never go backwards on one leader. */
  private final AtomicLong logicalTime = new AtomicLong();
  private volatile ApplyPipeline pipeline;
  /** This node's Raft server, once known: after each apply, a leader tells followers of the commit. */
  private volatile RaftServer.Division division;
  private volatile boolean seenSelfAsMember;
  private volatile long lastConfigurationWithSelf = -1;
  private volatile DigestListener digestListener = (round, digest) -> { };
  private volatile Runnable configurationListener = () -> { };
  private volatile Runnable leaderListener = () -> { };
  /** When this node last became leader (System.nanoTime()), or MIN_VALUE while another node leads. */
  private volatile long electedNanos = Long.MIN_VALUE;

  /** Told, in log order, the digest of this node's Redis at each VERIFY entry (round = its log index). */
  public interface DigestListener {
    void digestAt(long round, String digest);
  }

  public RedraftStateMachine(String nodeId, RedisApplier applier, RedisReader reader, RedisSnapshots redisSnapshots,
      NodeHealth health, MemberDirectory members, CommandValidator validator, int applyBatchMax,
      RedraftMetrics metrics, ApplyRequest.SessionLimits sessionLimits) {
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.applier = applier;
    this.reader = reader;
    this.redisSnapshots = redisSnapshots;
    this.snapshots = new SnapshotStore(redisSnapshots);
    this.snapshotTaker = new SnapshotTaker(nodeId, snapshots, health, metrics);
    this.health = health;
    this.members = members;
    this.translator = new EntryTranslator(validator, sessionLimits);
    this.applyBatchMax = applyBatchMax;
    this.reads = new LocalReads(nodeId, reader, health, metrics, () -> pipeline);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    getLifeCycle().transition(LifeCycle.State.STARTING);
    startFrom(snapshots.latest(false), false);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /**
   * Brings Redis to a known log position and starts applying after it. With a snapshot that was just
   * installed from the leader, or one newer than what Redis holds (Redis lost data while the node was
   * down), Redis is replaced by the snapshot; otherwise Redis is kept and the log replay skips what it
   * already holds.
   */
  private void startFrom(SingleFileSnapshotInfo snapshot, boolean installed) throws IOException {
    long marker = applier.readAppliedMarker();
    long startIndex = 0;
    if (snapshot != null) {
      RedisSnapshots.Summary summary = SnapshotStore.summary(snapshot);
      if (installed || marker < summary.appliedMarker()) {
        LOG.warn("node {}: loading snapshot at index {} ({} keys) into its Redis: {}", nodeId, snapshot.getIndex(),
            summary.keys(), installed ? "installed from the leader"
                : "its Redis holds applied index " + marker + ", older than the snapshot's " + summary.appliedMarker());
        snapshots.load(snapshot);
        marker = applier.readAppliedMarker();
      }
      setLastAppliedTermIndex(snapshot.getTermIndex());
      startIndex = snapshot.getIndex();
    }
    logicalTime.accumulateAndGet(applier.readLogicalTime(), Math::max);
    reader.readHash(EntryTranslator.MEMBERS_KEY).forEach((id, value) -> members.put(id, MemberDirectory.MemberAddresses.decode(value)));
    LOG.info("node {}: state machine starting; Redis applied-index marker {}, log replay from index {}",
        nodeId, marker, startIndex + 1);
    RedisRebuilder rebuilder = new RedisRebuilder(nodeId, snapshots, redisSnapshots, applier, this::raftLog,
        applyBatchMax);
    pipeline = new ApplyPipeline(nodeId, applier, health, applyBatchMax, marker, this::onApplied, rebuilder, metrics);
    if (snapshotTaker.stopping()) {
      pipeline.stopRetrying();
    }
    pipeline.start(startIndex);
  }

  private RaftLog raftLog() {
    try {
      return getServer().get().getDivision(getGroupId()).getRaftLog();
    } catch (Exception e) {
      throw new IllegalStateException("the Raft log of node " + nodeId + " is not available: " + e, e);
    }
  }

  /** Before a snapshot from the leader replaces this node's state: stop applying. */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    health.markTransient("installing a snapshot from the leader");
    ApplyPipeline p = pipeline;
    if (p != null) {
      p.close();
    }
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** The leader's snapshot is in place: load it into Redis and apply the log from there. */
  @Override
  public void reinitialize() throws IOException {
    getLifeCycle().transition(LifeCycle.State.STARTING);
    SingleFileSnapshotInfo snapshot = snapshots.latest(true);
    startFrom(snapshot, true);
    health.markRepaired();
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /**
   * Called by Ratis (automatically every N entries, on request, and once more when the server stops)
   * on its apply thread, so no new entry reaches the pipeline meanwhile: once the pipeline drained,
   * Redis is quiet at an exact index. Applies pause for as long as this runs; the duration is logged
   * and kept in {@link SnapshotStats}.
   *
   * <p>Never throws for a snapshot that cannot be taken now (Redis unreachable, node not ready or
   * stopping): it is postponed ({@link SnapshotAttempts}) and the previous snapshot's index returned.
   * An unchecked exception here closes the Raft group, and while the server stopped it made Ratis
   * retry in a tight loop that flooded the log and blocked the shutdown.
   */
  @Override
  public long takeSnapshot() {
    return snapshotTaker.take(pipeline, this::getLastAppliedTermIndex);
  }

  /**
   * The node is about to stop its Raft server: a snapshot in progress (or the one Ratis takes at stop)
   * gets a short grace, then is abandoned; the apply pipeline stops retrying a Redis that does not
   * answer. Called before the server closes, so its stop never waits for Redis.
   */
  public void prepareStop() {
    snapshotTaker.prepareStop();
    ApplyPipeline p = pipeline;
    if (p != null) {
      p.stopRetrying();
    }
  }

  /**
   * A configuration entry was applied. Entries replayed by a node that joined later name older
   * configurations without it, so the decision uses the newest configuration this node knows.
   */
  @Override
  public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto applied) {
    if (names(applied, nodeId)) {
      lastConfigurationWithSelf = Math.max(lastConfigurationWithSelf, index);
    }
    RaftConfiguration current;
    try {
      current = getServer().get().getDivision(getGroupId()).getRaftConf();
    } catch (Exception e) {
      return;
    }
    RaftPeerId self = RaftPeerId.valueOf(nodeId);
    boolean member = current.getPeer(self, RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER) != null;
    boolean stable = current.getPreviousPeers().isEmpty() && current.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
    if (member) {
      // A joining node catches up on entries written before it was added, whose configurations lack
      // it: only a node that has been a member can be removed.
      seenSelfAsMember = true;
    }
    if (!member && seenSelfAsMember && stable && !current.getCurrentPeers().isEmpty() && !health.isRemoved()) {
      String reason = "it was removed from the cluster (configuration at log index " + current.getLogEntryIndex()
          + "); stop it, and its data directory and Redis can be deleted";
      LOG.warn("node {}: {}", nodeId, reason);
      health.markRemoved(reason);
    }
    configurationListener.run();
  }

  private static boolean names(RaftConfigurationProto conf, String id) {
    return java.util.stream.Stream.of(conf.getPeersList(), conf.getListenersList(), conf.getOldPeersList(),
        conf.getOldListenersList()).flatMap(List::stream).anyMatch(peer -> peer.getId().toStringUtf8().equals(id));
  }

  /**
   * The log index of the newest committed configuration entry this node applied that names it (-1 if
   * none): proof it has been a member, and the position after which only a newer committed
   * configuration can say it was removed.
   */
  public long lastConfigurationWithSelf() {
    return lastConfigurationWithSelf;
  }

  /** Told after each configuration entry is applied (on Ratis' apply thread: must not block). */
  public void setConfigurationListener(Runnable listener) {
    this.configurationListener = listener;
  }

  /** Told when this node learns of a new leader (on Ratis' threads, holding its locks: must not block). */
  public void setLeaderListener(Runnable listener) {
    this.leaderListener = listener;
  }

  public void setDigestListener(DigestListener listener) {
    this.digestListener = listener;
  }

  /**
   * Replaces this node's Redis with a snapshot taken from another node (the leader) at
   * {@code snapshotIndex}, then re-applies this node's own log after it, up to what it had applied;
   * runs between applies. Used to repair a replica whose Redis diverged from the majority's.
   */
  public CompletableFuture<Void> repairFrom(Path snapshotFile, long snapshotIndex) {
    ApplyPipeline p = pipeline;
    if (p == null) {
      return CompletableFuture.failedFuture(new NotReadyException(nodeId, "not started"));
    }
    RedisRebuilder rebuilder = new RedisRebuilder(nodeId, snapshots, redisSnapshots, applier, this::raftLog,
        applyBatchMax);
    return p.runExclusive(appliedIndex -> {
      RedisSnapshots.Summary loaded = redisSnapshots.load(snapshotFile);
      LOG.warn("node {}: loaded the leader's snapshot at index {} ({} keys) into its Redis", nodeId, snapshotIndex,
          loaded.keys());
      rebuilder.replay(snapshotIndex + 1, appliedIndex);
      return applier.readAppliedMarker();
    });
  }

  /** Snapshot figures of this node. */
  public SnapshotStats snapshotStats() {
    return snapshotTaker.stats();
  }

  /** The newest snapshot without a directory scan (Ratis asks on every appendEntries). */
  @Override
  public SingleFileSnapshotInfo getLatestSnapshot() {
    return snapshots.latest(false);
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return snapshots.storage();
  }

  private void onApplied(long term, long index) {
    updateLastAppliedTermIndex(term, index);
  }

  /** The leader applied an entry a follower forwarded: that follower learns of the commit soon. */
  private void noticeCommit() {
    RaftServer.Division self = division;
    if (self == null) {
      try {
        self = getServer().get().getDivision(getGroupId());
        division = self;
      } catch (Exception e) {
        return; // stopping: nothing to tell anyone
      }
    }
    CommitHeartbeats.noticeWanted(self);
  }

  /** On the leader, before the entry enters the log: validate and fix everything nondeterministic. */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    try {
      Proposal proposal = Proposal.parseFrom(ProtoBytes.bytes(request.getMessage().getContent()));
      LogEntry entry = switch (proposal.getBodyCase()) {
        case WRITE -> translator.toLogEntry(proposal.getWrite(),
            logicalTime.accumulateAndGet(System.currentTimeMillis(), Math::max));
        case WRITE_GROUP -> translator.toLogEntry(proposal.getWriteGroup(),
            logicalTime.accumulateAndGet(System.currentTimeMillis(), Math::max));
        case REGISTER_NODE -> EntryTranslator.toLogEntry(proposal.getRegisterNode());
        case VERIFY -> EntryTranslator.toLogEntry(proposal.getVerify());
        case TOKEN -> EntryTranslator.toLogEntry(TokenRules.checked(proposal.getToken()));
        default -> throw new IllegalArgumentException("empty proposal: nothing to write");
      };
      return TransactionContext.newBuilder()
          .setStateMachine(this)
          .setClientRequest(request)
          .setLogData(ProtoBytes.toShaded(entry))
          .setStateMachineContext(proposal.getForwardedBy().isEmpty() ? null : FORWARDED)
          .build();
    } catch (InvalidProtocolBufferException e) {
      return refuse(request, new InvalidRequestException("malformed proposal: " + e.getMessage()));
    } catch (InvalidCommandException | InvalidRequestException | IllegalArgumentException e) {
      // Rebuilt on the caller's side from its class name and message: keep a (String) constructor.
      return refuse(request, new InvalidRequestException(e.getMessage()));
    }
  }

  private TransactionContext refuse(RaftClientRequest request, Exception cause) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    trx.setException(cause);
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    CompletableFuture<Message> reply = applyEntry(trx);
    if (trx.getClientRequest() != null) {
      return reply;
    }
    // Nobody waits for the result of an entry this node did not propose (a follower's, or one replayed
    // at start). Such a future fails only when the pipeline stops with the entry not applied (the node
    // stops, or installs a snapshot), and the log applies it again at the next start: Ratis would log
    // an ERROR for each one (thousands when a stopping node's Redis is gone).
    return reply.exceptionally(notApplied -> Message.EMPTY);
  }

  private CompletableFuture<Message> applyEntry(TransactionContext trx) {
    LogEntryProto logEntry = trx.getLogEntry();
    long index = logEntry.getIndex();
    LogEntry entry;
    try {
      entry = LogEntry.parseFrom(ProtoBytes.bytes(logEntry.getStateMachineLogEntry().getLogData()));
    } catch (InvalidProtocolBufferException e) {
      // Skipping an entry would make this replica diverge: stop instead.
      throw new IllegalStateException("log entry " + index + " cannot be decoded: " + e.getMessage(), e);
    }
    List<ApplyRequest> requests = EntryTranslator.toApplyRequests(index, entry);
    requests.forEach(request -> logicalTime.accumulateAndGet(request.logicalTimeMs(), Math::max));
    CompletableFuture<List<ApplyResult>> applied = pipeline.submit(logEntry.getTerm(), index, requests);
    if (trx.getStateMachineContext() == FORWARDED) {
      applied.thenRun(this::noticeCommit); // on the leader: a follower waits for this entry's commit
    }
    if (entry.hasVerify()) {
      applied.thenAccept(results -> digestListener.digestAt(index, results.get(0).digest()));
    }
    if (entry.hasRegisterNode()) {
      String id = entry.getRegisterNode().getNodeId();
      MemberDirectory.MemberAddresses addresses = EntryTranslator.registeredAddresses(entry);
      applied.thenRun(() -> members.put(id, addresses));
    }
    if (entry.hasWriteGroup()) {
      return applied.thenApply(results -> {
        WriteGroupResult.Builder group = WriteGroupResult.newBuilder();
        results.forEach(result -> group.addResults(toWriteResult(result)));
        return ProtoBytes.toMessage(group.build());
      });
    }
    return applied.thenApply(results -> ProtoBytes.toMessage(toWriteResult(results.get(0))));
  }

  private static WriteResult toWriteResult(ApplyResult result) {
    WriteResult.Builder out = WriteResult.newBuilder()
        .setRespReplies(com.google.protobuf.ByteString.copyFrom(result.respReplies()))
        .setRolledBack(result.rolledBack())
        .setDuplicate(result.outcome() == ApplyOutcome.DUPLICATE);
    switch (result.outcome()) {
      case SUPERSEDED -> out.setRefused("superseded");
      case ALREADY_APPLIED -> out.setRefused("reply-lost");
      case MISMATCHED -> out.setRefused("mismatch");
      case SESSION_UNKNOWN -> out.setRefused("session-unknown");
      case SESSIONS_FULL -> out.setRefused("sessions-full");
      case TX_REFUSED -> out.setRefused(new String(result.respReplies(), java.nio.charset.StandardCharsets.US_ASCII))
          .setRespReplies(com.google.protobuf.ByteString.EMPTY);
      case MOVED -> out.setRefused("moved:" + new String(result.respReplies(), java.nio.charset.StandardCharsets.US_ASCII))
          .setRespReplies(com.google.protobuf.ByteString.EMPTY);
      default -> { }
    }
    return out.build();
  }

  /** Names the group in this replica's log lines where a node's groups' lines would be told apart by it. */
  public void setGroupLabel(String label) {
    this.groupLabel = label;
  }

  /** Counted and logged (with the term) so leader churn shows in metrics and logs. */
  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeaderId) {
    metrics.leaderChanged();
    long term = -1;
    try {
      term = getServer().get().getDivision(member.getGroupId()).getInfo().getCurrentTerm();
    } catch (Exception e) {
      // Only for the log line: the term may not be readable while the server starts or stops.
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.info("node {}{}: leader is now {} (term {})", nodeId, groupLabel, newLeaderId == null ? "unknown" : newLeaderId, term);
    electedNanos = newLeaderId != null && newLeaderId.toString().equals(nodeId) ? System.nanoTime() : Long.MIN_VALUE;
    if (newLeaderId != null) {
      leaderListener.run();
    }
  }

  /**
   * Ratis calls this once this leader's first entry of its term is applied: only then does it take
   * requests. Logged with the time since it was elected, the part of a failover after the election.
   */
  @Override
  public void notifyLeaderReady() {
    long elected = electedNanos;
    if (elected != Long.MIN_VALUE) {
      LOG.info("node {}{}: ready to lead ({} ms after it was elected: its first entry of the term is committed and"
          + " applied)", nodeId, groupLabel, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - elected));
    }
  }

  /** Configuration and metadata entries: no Redis effect, but the applied index moves in order. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    ApplyPipeline p = pipeline;
    if (p != null) {
      p.submitIndexOnly(term, index);
    } else {
      updateLastAppliedTermIndex(term, index);
    }
  }

  /**
   * A linearizable read, called by Ratis once its applied index reached the read index. Ratis moves
   * that index for metadata entries without waiting for earlier entries' futures, so wait here until
   * everything handed to the pipeline so far is in Redis.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    ReadQuery query;
    try {
      query = ReadQuery.parseFrom(ProtoBytes.bytes(request.getContent()));
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("malformed read: " + e.getMessage()));
    }
    if (!health.isReady() || pipeline == null) {
      return CompletableFuture.failedFuture(new UnavailableException(
          "node " + nodeId + " is not ready: " + health.reason() + "; retry on another node"));
    }
    ApplyPipeline p = pipeline;
    return reads.readAt(p.lastSubmitted(), List.of(query)).thenApply(replies -> Message.valueOf(
        org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(replies.get(0))));
  }

  /** Reads of this node's Redis, at a read index or stale. */
  public LocalReads reads() {
    return reads;
  }

  /** Completes once this node's Redis has applied every entry up to {@code index}. */
  public CompletableFuture<Void> awaitApplied(long index) {
    return pipeline.awaitApplied(index);
  }

  /** The last log index whose effects are in this node's Redis. */
  public long appliedIndex() {
    ApplyPipeline p = pipeline;
    return p == null ? 0 : p.applied();
  }

  /** The highest log index handed to the apply pipeline so far (applied or waiting to be). */
  public long handedToApply() {
    ApplyPipeline p = pipeline;
    return p == null ? 0 : p.lastSubmitted();
  }

  @Override
  public void close() throws IOException {
    // Ratis closes the state machine when the server stops, and also when it closes the group on its
    // own (e.g. this node was told it is no longer a member): serve nothing from here on.
    health.markTransient("its Raft server for the group stopped");
    ApplyPipeline p = pipeline;
    if (p != null) {
      p.close();
    }
    reads.close();
    super.close();
  }
}
