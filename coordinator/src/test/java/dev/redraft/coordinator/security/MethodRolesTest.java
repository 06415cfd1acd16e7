package dev.redraft.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.api.v1.AccessGrpc;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.KVGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every RPC of the public services has a role decided for it; health and reflection stay open. */
class MethodRolesTest {
  @Test
  void everyKvAndAdminMethodIsListed() {
    for (ServiceDescriptor service : new ServiceDescriptor[] {KVGrpc.getServiceDescriptor(),
        AdminGrpc.getServiceDescriptor(), AccessGrpc.getServiceDescriptor()}) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        assertThat(MethodRoles.listed()).as("role of %s", method.getFullMethodName())
            .containsKey(method.getFullMethodName());
      }
    }
  }

  @Test
  void rolesFollowWhatACallCanDo() {
    assertThat(MethodRoles.required(KVGrpc.getReadMethod().getFullMethodName())).contains(Role.READ);
    assertThat(MethodRoles.required(KVGrpc.getWriteManyMethod().getFullMethodName())).contains(Role.READWRITE);
    assertThat(MethodRoles.required(AdminGrpc.getRemoveNodeMethod().getFullMethodName())).contains(Role.ADMIN);
    assertThat(MethodRoles.required(AccessGrpc.getAddTokenMethod().getFullMethodName())).contains(Role.ADMIN);
    Stream.of(AdminGrpc.getGetDigestMethod(), AdminGrpc.getFetchSnapshotMethod(),
            AdminGrpc.getConfirmLeadershipMethod(), AdminGrpc.getAcknowledgeLeaderMethod())
        .forEach(m -> assertThat(MethodRoles.required(m.getFullMethodName())).contains(Role.NODE));
    assertThat(MethodRoles.required("grpc.health.v1.Health/Check")).isEmpty();
    assertThat(MethodRoles.required("redraft.v1.Admin/SomethingNew")).as("closed until decided").contains(Role.NODE);
  }

  @Test
  void eachRoleIncludesTheOnesBelow() {
    assertThat(Role.NODE.covers(Role.ADMIN)).isTrue();
    assertThat(Role.ADMIN.covers(Role.READWRITE)).isTrue();
    assertThat(Role.READWRITE.covers(Role.READ)).isTrue();
    assertThat(Role.READ.covers(Role.READWRITE)).isFalse();
    assertThat(Role.ADMIN.covers(Role.NODE)).isFalse();
  }
}
