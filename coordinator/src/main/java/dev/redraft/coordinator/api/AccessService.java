package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AccessGrpc;
import dev.redraft.api.v1.AddTokenRequest;
import dev.redraft.api.v1.ListTokensRequest;
import dev.redraft.api.v1.ListTokensResponse;
import dev.redraft.api.v1.RemoveTokenRequest;
import dev.redraft.api.v1.TokenChangeResponse;
import dev.redraft.api.v1.TokenInfo;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.security.Tokens;
import dev.redraft.coordinator.security.TokenRules;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.TokenEntry;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Access service: API tokens granted and revoked through the log (admin role, see
 * security/MethodRoles), so every node honours the same ones (security/Tokens); only hashes travel
 * and are stored. ListTokens shows this node's view: the replicated tokens it has applied and its
 * tokens-file's.
 */
final class AccessService extends AccessGrpc.AccessImplBase {
  private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(30);

  private final RaftNode raft;
  private final Tokens tokens;
  private final HeaderFactory headers;

  AccessService(RaftNode raft, Tokens tokens, HeaderFactory headers) {
    this.raft = raft;
    this.tokens = tokens;
    this.headers = headers;
  }

  @Override
  public void addToken(AddTokenRequest request, StreamObserver<TokenChangeResponse> observer) {
    answer(observer, TokenEntry.newBuilder().setName(request.getName()).setRole(request.getRole())
        .setSha256(request.getSha256()).build(), true);
  }

  @Override
  public void removeToken(RemoveTokenRequest request, StreamObserver<TokenChangeResponse> observer) {
    answer(observer, TokenEntry.newBuilder().setName(request.getName()).build(), false);
  }

  @Override
  public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> observer) {
    ListTokensResponse.Builder response = ListTokensResponse.newBuilder().setHeader(headers.header());
    tokens.file().names().forEach((name, role) ->
        response.addTokens(TokenInfo.newBuilder().setName(name).setRole(role.label()).setSource("file")));
    tokens.granted().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e ->
        response.addTokens(TokenInfo.newBuilder().setName(e.getKey()).setRole(e.getValue().label()).setSource("api")));
    observer.onNext(response.build());
    observer.onCompleted();
  }

  private void answer(StreamObserver<TokenChangeResponse> observer, TokenEntry entry, boolean grant) {
    try {
      if (grant && entry.getRole().isEmpty()) {
        throw new InvalidRequestException("give the token's role: read, readwrite or admin");
      }
      TokenEntry checked;
      try {
        checked = TokenRules.checked(entry);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(e.getMessage());
      }
      long index = raft.propose(Proposal.newBuilder().setToken(checked).build())
          .get(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).logIndex();
      observer.onNext(TokenChangeResponse.newBuilder().setHeader(headers.header()).setLogIndex(index).build());
      observer.onCompleted();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      observer.onError(ErrorMapper.toStatus(new UnavailableException("interrupted", e)));
    } catch (ExecutionException | TimeoutException e) {
      observer.onError(ErrorMapper.toStatus(e instanceof ExecutionException ? e.getCause()
          : new UnavailableException("the token change was not committed within " + CHANGE_TIMEOUT.toSeconds()
              + " s; its outcome is unknown: check with 'redraft token list'", e)));
    } catch (RuntimeException e) {
      observer.onError(ErrorMapper.toStatus(e));
    }
  }
}
