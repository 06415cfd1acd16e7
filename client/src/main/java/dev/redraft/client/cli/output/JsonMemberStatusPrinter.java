package dev.redraft.client.cli.output;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.redraft.api.v1.MemberStatus;
import java.io.PrintWriter;
import java.util.List;

/**
 * Members as a JSON array of objects, one key per MemberStatus field under its proto (snake_case)
 * name, every field present. Read from the message descriptor, so new fields appear by themselves.
 */
public final class JsonMemberStatusPrinter implements MemberStatusPrinter {
  @Override
  public void print(List<MemberStatus> members, PrintWriter out) {
    if (members.isEmpty()) {
      out.println("[]");
      out.flush();
      return;
    }
    out.println("[");
    for (int i = 0; i < members.size(); i++) {
      out.println("  " + toJson(members.get(i)) + (i < members.size() - 1 ? "," : ""));
    }
    out.println("]");
    out.flush();
  }

  static String toJson(MemberStatus member) {
    return messageToJson(member);
  }

  /** Every field of the message, by its proto (snake_case) name; nested messages as objects. */
  private static String messageToJson(Message message) {
    StringBuilder json = new StringBuilder("{");
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (json.length() > 1) {
        json.append(", ");
      }
      json.append(Json.quote(field.getName())).append(": ").append(value(field, message.getField(field)));
    }
    return json.append('}').toString();
  }

  private static String value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case STRING -> Json.quote((String) value);
      case BOOLEAN -> value.toString();
      case LONG -> field.getType() == FieldDescriptor.Type.UINT64 || field.getType() == FieldDescriptor.Type.FIXED64
          ? Long.toUnsignedString((Long) value) : value.toString();
      case INT -> value.toString();
      case MESSAGE -> messageToJson((Message) value);
      default -> Json.quote(String.valueOf(value));
    };
  }
}
