package dev.leadledger.interop;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;

/** A LeadCaptured from the schema file alone, in Avro's single-object encoding. */
public final class PartnerExample {
  public static void main(String[] args) throws Exception {
    Path avsc = Path.of(args[0], "LeadCaptured", "v3.avsc");  // copied from schemas/avro/
    Schema schema = new Schema.Parser().parse(avsc.toFile());
    Schema data = schema.getField("data").schema();
    Schema person = data.getField("person").schema().getTypes().get(0);  // Person
    GenericRecord event = new GenericRecordBuilder(schema)
        .set("event_id", "evt-java-1")
        .set("type", "LeadCaptured")
        .set("subject", "lead-java-1")
        .set("occurred_at", Instant.parse("2026-11-02T09:00:00Z").toEpochMilli() * 1000) // micros
        .set("source", "acme")
        .set("data", new GenericRecordBuilder(data)
            .set("person", new GenericRecordBuilder(person).set("email", "ana@example.com").build())
            .build())
        .build();
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(event, value);
    // Publish value.toByteArray() to leadledger.leads, keyed by "lead-java-1"; here, print it.
    System.out.println(HexFormat.of().formatHex(value.toByteArray()));
  }
}
