package dev.redraft.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespRepliesTest {
  @Test
  void decodesEveryReplyType() {
    List<Reply> replies = RespReplies.decodeArray(bytes(
        "*6\r\n+OK\r\n-WRONGTYPE bad\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n$0\r\n\r\n"));
    assertThat(replies).hasSize(6);
    assertThat(replies.get(0).getStatus()).isEqualTo("OK");
    assertThat(replies.get(1).getError()).isEqualTo("WRONGTYPE bad");
    assertThat(replies.get(2).getInteger()).isEqualTo(-42);
    assertThat(replies.get(3).getBulk().toStringUtf8()).isEqualTo("hello");
    assertThat(replies.get(4).getNil()).isTrue();
    assertThat(replies.get(5).getArray().getItemsList()).extracting(Reply::getKindCase)
        .containsExactly(Reply.KindCase.INTEGER, Reply.KindCase.BULK);
  }

  @Test
  void bulkStringsAreBinarySafe() {
    byte[] resp = {'$', '4', '\r', '\n', 0, '\r', '\n', (byte) 0xff, '\r', '\n'};
    assertThat(RespReplies.decode(resp).getBulk().toByteArray()).containsExactly(0, '\r', '\n', 0xff);
  }

  @Test
  void refusesTruncatedOrTrailingInput() {
    assertThatThrownBy(() -> RespReplies.decode(bytes("+OK"))).hasMessageContaining("truncated");
    assertThatThrownBy(() -> RespReplies.decode(bytes("+OK\r\n+OK\r\n"))).hasMessageContaining("trailing");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
