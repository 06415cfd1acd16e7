package dev.redraft.client.cli.output;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

/**
 * A flat protobuf message as one JSON object: one key per scalar field under its proto (snake_case)
 * name, every field present (defaults included), uint64 unsigned; a nested message (e.g. a node's
 * last verification) as a nested object. The response header and repeated fields are left out. Read
 * from the descriptor, so new fields appear by themselves.
 */
final class ProtoJson {
  private ProtoJson() {}

  static String object(Message message) {
    StringBuilder json = new StringBuilder("{");
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.isRepeated() || field.getName().equals("header")) {
        continue;
      }
      if (json.length() > 1) {
        json.append(", ");
      }
      json.append(Json.quote(field.getName())).append(": ").append(value(field, message.getField(field)));
    }
    return json.append('}').toString();
  }

  /** Objects as a JSON array, one per line. */
  static String array(Iterable<? extends Message> messages) {
    StringBuilder json = new StringBuilder();
    for (Message message : messages) {
      json.append(json.length() == 0 ? "[\n  " : ",\n  ").append(object(message));
    }
    return json.length() == 0 ? "[]" : json.append("\n]").toString();
  }

  private static String value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case STRING -> Json.quote((String) value);
      case BOOLEAN, INT, FLOAT, DOUBLE -> value.toString();
      case LONG -> field.getType() == FieldDescriptor.Type.UINT64 || field.getType() == FieldDescriptor.Type.FIXED64
          ? Long.toUnsignedString((Long) value) : value.toString();
      case MESSAGE -> object((Message) value);
      default -> Json.quote(String.valueOf(value));
    };
  }
}
