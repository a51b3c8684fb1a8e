package dev.leadledger.interop;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * leadledger's wire format as Apache Avro's Java library reads and writes it.
 *
 * <p>Every command reads the {@code .avsc} files at run time ({@code <avro-root>/<Type>/vN.avsc})
 * and works on lines of standard input, so one JVM start serves a whole test:
 *
 * <ul>
 *   <li>{@code fingerprints <avro-root>}: {@code <Type>/vN.avsc TAB parsingFingerprint64} for
 *       every schema file;
 *   <li>{@code fingerprint}: each input line is a schema (JSON); prints its canonical form TAB
 *       its parsingFingerprint64 (the specification's test vectors);
 *   <li>{@code encode <avro-root>}: each input line is {@code <Type> TAB <datum in Avro's JSON
 *       encoding>}; prints the hex of {@code BinaryMessageEncoder}'s single-object encoding
 *       under the newest version of the type;
 *   <li>{@code decode <avro-root> <Type>}: each input line is the hex of one message; {@code
 *       BinaryMessageDecoder} reads it with every version of the type known, into the newest,
 *       and prints the record as JSON, or {@code error TAB <what the decoder threw>}.
 * </ul>
 */
public final class Interop {
  private static final HexFormat HEX = HexFormat.of();

  private Interop() {}

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String command = args.length > 0 ? args[0] : "";
    switch (command) {
      case "fingerprints" -> fingerprints(Path.of(args[1]), out);
      case "fingerprint" -> fingerprint(out);
      case "encode" -> encode(Path.of(args[1]), out);
      case "decode" -> decode(Path.of(args[1]), args[2], out);
      default -> {
        System.err.println("usage: fingerprints ROOT | fingerprint | encode ROOT | decode ROOT TYPE");
        System.exit(2);
      }
    }
  }

  /** One parser per file: every file defines the shared records (Recorded, ...) again. */
  static Schema parse(Path file) throws IOException {
    return new Schema.Parser().parse(file.toFile());
  }

  /** Every version of a type, by version number. */
  static TreeMap<Integer, Schema> versions(Path root, String type) throws IOException {
    TreeMap<Integer, Schema> found = new TreeMap<>();
    try (Stream<Path> files = Files.list(root.resolve(type))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
        String name = file.getFileName().toString();
        found.put(Integer.parseInt(name.substring(1, name.length() - ".avsc".length())), parse(file));
      }
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException("no schema for type " + type + " under " + root);
    }
    return found;
  }

  static List<String> lines() throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isBlank()) {
        lines.add(line);
      }
    }
    return lines;
  }

  static void fingerprints(Path root, PrintStream out) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(parse(file));
        out.println(root.relativize(file).toString().replace('\\', '/') + "\t" + fingerprint);
      }
    }
  }

  static void fingerprint(PrintStream out) throws IOException {
    for (String line : lines()) {
      Schema schema = new Schema.Parser().setValidateDefaults(false).parse(line);
      out.println(
          SchemaNormalization.toParsingForm(schema)
              + "\t"
              + SchemaNormalization.parsingFingerprint64(schema));
    }
  }

  static void encode(Path root, PrintStream out) throws IOException {
    for (String line : lines()) {
      int tab = line.indexOf('\t');
      Schema schema = versions(root, line.substring(0, tab)).lastEntry().getValue();
      String json = line.substring(tab + 1);
      GenericRecord event =
          new GenericDatumReader<GenericRecord>(schema)
              .read(null, DecoderFactory.get().jsonDecoder(schema, json));
      BinaryMessageEncoder<GenericRecord> encoder =
          new BinaryMessageEncoder<>(GenericData.get(), schema);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      encoder.encode(event, bytes);
      out.println(HEX.formatHex(bytes.toByteArray()));
    }
  }

  static void decode(Path root, String type, PrintStream out) throws IOException {
    TreeMap<Integer, Schema> known = versions(root, type);
    BinaryMessageDecoder<GenericRecord> decoder =
        new BinaryMessageDecoder<>(GenericData.get(), known.lastEntry().getValue());
    for (Schema older : known.headMap(known.lastKey()).values()) {
      decoder.addSchema(older);
    }
    for (String line : lines()) {
      try {
        GenericRecord event = decoder.decode(HEX.parseHex(line.strip()));
        out.println(GenericData.get().toString(event));
      } catch (IOException | RuntimeException e) {
        out.println("error\t" + e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
  }
}
