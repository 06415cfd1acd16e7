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
import dev.redraft.coordinator.redis.RedisCommand;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.ReadQuery;
import dev.redraft.log.v1.RegisterNodeEntry;
import dev.redraft.log.v1.WriteResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
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
 * everything up to the read index.
 */
public final class RedraftStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(RedraftStateMachine.class);

  private final String nodeId;
  private final RedisApplier applier;
  private final RedisReader reader;
  private final NodeHealth health;
  private final MemberDirectory members;
  private final EntryTranslator translator;
  private final int applyBatchMax;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final ExecutorService readExecutor;
  private final RedraftMetrics metrics;
  /** Highest logical time handed out or applied: entries' times never go backwards on one leader. */
  private final AtomicLong logicalTime = new AtomicLong();
  private volatile ApplyPipeline pipeline;

  public RedraftStateMachine(String nodeId, RedisApplier applier, RedisReader reader, NodeHealth health,
      MemberDirectory members, CommandValidator validator, int applyBatchMax, RedraftMetrics metrics) {
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.applier = applier;
    this.reader = reader;
    this.health = health;
    this.members = members;
    this.translator = new EntryTranslator(validator);
    this.applyBatchMax = applyBatchMax;
    this.readExecutor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "redraft-read-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    long marker = applier.readAppliedMarker();
    logicalTime.set(applier.readLogicalTime());
    reader.readHash(EntryTranslator.MEMBERS_KEY).forEach((id, value) -> members.put(id, parseAddresses(value)));
    long startIndex = getLastAppliedTermIndex() == null ? 0 : getLastAppliedTermIndex().getIndex();
    LOG.info("node {}: state machine starting; Redis applied-index marker {}, log replay from index {}",
        nodeId, marker, startIndex + 1);
    pipeline = new ApplyPipeline(nodeId, applier, health, applyBatchMax, marker, this::onApplied, metrics);
    pipeline.start(Math.max(0, startIndex));
  }

  private static MemberDirectory.MemberAddresses parseAddresses(String value) {
    int bar = value.indexOf('|');
    return bar < 0 ? new MemberDirectory.MemberAddresses(value, "")
        : new MemberDirectory.MemberAddresses(value.substring(0, bar), value.substring(bar + 1));
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  private void onApplied(long term, long index) {
    updateLastAppliedTermIndex(term, index);
  }

  /** On the leader, before the entry enters the log: validate and fix everything nondeterministic. */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    try {
      Proposal proposal = Proposal.parseFrom(ProtoBytes.bytes(request.getMessage().getContent()));
      LogEntry entry = switch (proposal.getBodyCase()) {
        case WRITE -> translator.toLogEntry(proposal.getWrite(),
            logicalTime.accumulateAndGet(System.currentTimeMillis(), Math::max));
        case REGISTER_NODE -> EntryTranslator.toLogEntry(proposal.getRegisterNode());
        default -> throw new IllegalArgumentException("empty proposal: nothing to write");
      };
      return TransactionContext.newBuilder()
          .setStateMachine(this)
          .setClientRequest(request)
          .setLogData(ProtoBytes.toShaded(entry))
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
    LogEntryProto logEntry = trx.getLogEntry();
    long index = logEntry.getIndex();
    LogEntry entry;
    try {
      entry = LogEntry.parseFrom(ProtoBytes.bytes(logEntry.getStateMachineLogEntry().getLogData()));
    } catch (InvalidProtocolBufferException e) {
      // Skipping an entry would make this replica diverge: stop instead.
      throw new IllegalStateException("log entry " + index + " cannot be decoded: " + e.getMessage(), e);
    }
    ApplyRequest request = EntryTranslator.toApplyRequest(index, entry);
    logicalTime.accumulateAndGet(request.logicalTimeMs(), Math::max);
    CompletableFuture<ApplyResult> applied = pipeline.submit(logEntry.getTerm(), index, request);
    if (entry.hasRegisterNode()) {
      RegisterNodeEntry reg = entry.getRegisterNode();
      applied.thenRun(() -> members.put(reg.getNodeId(),
          new MemberDirectory.MemberAddresses(reg.getApiAddress(), reg.getRedisAddress())));
    }
    return applied.thenApply(RedraftStateMachine::toMessage);
  }

  private static Message toMessage(ApplyResult result) {
    WriteResult.Builder out = WriteResult.newBuilder()
        .setRespReplies(com.google.protobuf.ByteString.copyFrom(result.respReplies()))
        .setRolledBack(result.rolledBack())
        .setDuplicate(result.outcome() == ApplyOutcome.DUPLICATE);
    if (result.outcome() == ApplyOutcome.SUPERSEDED) {
      out.setRefused("superseded");
    } else if (result.outcome() == ApplyOutcome.ALREADY_APPLIED) {
      out.setRefused("reply-lost");
    }
    return ProtoBytes.toMessage(out.build());
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
    LOG.info("node {}: leader is now {} (term {})", nodeId, newLeaderId == null ? "unknown" : newLeaderId, term);
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
    if (!health.isReady()) {
      return CompletableFuture.failedFuture(new UnavailableException(
          "node " + nodeId + " is not ready: " + health.reason() + "; retry on another node"));
    }
    return pipeline.awaitApplied(pipeline.lastSubmitted())
        .thenApplyAsync(v -> Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(
                timedRead(toRedisCommand(query)))), readExecutor);
  }

  /** A read of the local Redis as it is now (no ReadIndex): only when the caller asks for it by name. */
  public CompletableFuture<byte[]> readStale(ReadQuery query) {
    health.requireReady();
    return CompletableFuture.supplyAsync(() -> timedRead(toRedisCommand(query)), readExecutor);
  }

  private byte[] timedRead(RedisCommand command) {
    long start = System.nanoTime();
    try {
      return reader.read(command);
    } finally {
      metrics.redisRoundTrip("read", System.nanoTime() - start);
    }
  }

  private static RedisCommand toRedisCommand(ReadQuery query) {
    List<byte[]> argv = new ArrayList<>(query.getArgvCount());
    query.getArgvList().forEach(arg -> argv.add(arg.toByteArray()));
    return new RedisCommand(argv, query.getKeyPositionsList().stream().mapToInt(Integer::intValue).toArray());
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

  @Override
  public void close() throws IOException {
    ApplyPipeline p = pipeline;
    if (p != null) {
      p.close();
    }
    readExecutor.shutdownNow();
    super.close();
  }
}
