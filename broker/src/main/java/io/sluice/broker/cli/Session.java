package io.sluice.broker.cli;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Base64;
import java.util.function.BooleanSupplier;

/**
 * What a running command works with: the node, the terminal's streams, the output mode, and whether it
 * has been asked to stop (Ctrl-C, SIGTERM).
 *
 * <p>Used by the command's thread; {@code stopping} may turn true from any thread.
 */
record Session(NodeClient node, InputStream in, PrintStream out, PrintStream err, boolean json, BooleanSupplier stopping) {

  /**
   * Writes the text ({@code <name>}) or the base64 ({@code <name>Base64}) field of a record or message as
   * its bytes, or {@code null} when it has neither; so a binary value reaches a pipe as it was produced.
   */
  void writeBytes(JsonObject o, String name) {
    String text = o.getValue(name) instanceof String s ? s : null;
    if (text != null) {
      out.print(text);
      return;
    }
    String base64 = o.getValue(name + "Base64") instanceof String s ? s : null;
    if (base64 != null) {
      out.writeBytes(Base64.getDecoder().decode(base64));
    } else {
      out.print("null");
    }
  }
}
