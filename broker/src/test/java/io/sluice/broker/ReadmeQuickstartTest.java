package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main README's quickstart works as written: each {@code bash} block of its "Quickstart" section runs
 * with {@code /bin/sh} against a node on a free port (the README's {@code 127.0.0.1:8080} and
 * {@code localhost:8080} rewritten to it), must exit 0, and must print what the {@code json} or {@code text}
 * block right after it shows.
 *
 * <p>How an answer is compared: a {@code json} block must match the output as JSON, where every field it
 * names must be there with a matching value (fields it leaves out are free), arrays match element by element
 * and have the same length, and the string {@code "*"} matches anything. A {@code text} block's lines must
 * appear in the output in that order (other lines may come between), {@code *} standing for any text.
 * Blocks share shell variables, as in one terminal ({@code M=$(...)} in one block, {@code $M} in the next).
 */
class ReadmeQuickstartTest extends NodeRoutesTestBase {

  private static final Pattern NODE_ADDRESS = Pattern.compile("(127\\.0\\.0\\.1|localhost):8080");

  @TempDir
  Path work;

  /** One {@code bash} block of the quickstart and the answer shown after it (null when none is shown). */
  record Step(String script, String answerType, String answer) {
  }

  /** The fenced blocks of the README's "### Quickstart" section, as steps. */
  static List<Step> quickstart(String readme) {
    int start = readme.indexOf("\n### Quickstart\n");
    assertTrue(start >= 0, "README.md has a '### Quickstart' section");
    int end = readme.length();
    for (String heading : List.of("\n## ", "\n### ")) {
      int next = readme.indexOf(heading, start + 1);
      if (next >= 0) {
        end = Math.min(end, next);
      }
    }
    List<String[]> fences = new ArrayList<>();   // {language, content}
    String[] lines = readme.substring(start, end).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("```") && lines[i].length() > 3) {
        StringBuilder body = new StringBuilder();
        int j = i + 1;
        for (; j < lines.length && !lines[j].startsWith("```"); j++) {
          body.append(lines[j]).append('\n');
        }
        assertTrue(j < lines.length, "an unclosed code block in the quickstart: " + lines[i]);
        fences.add(new String[] {lines[i].substring(3).trim(), body.toString()});
        i = j;
      }
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < fences.size(); i++) {
      if (fences.get(i)[0].equals("bash")) {
        String[] next = i + 1 < fences.size() ? fences.get(i + 1) : null;
        boolean answered = next != null && (next[0].equals("json") || next[0].equals("text"));
        steps.add(new Step(fences.get(i)[1], answered ? next[0] : null, answered ? next[1] : null));
      }
    }
    return steps;
  }

  private static Path readme() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("README.md");
      if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("broker"))) {
        return candidate;
      }
    }
    throw new AssertionError("no README.md beside a broker/ folder above " + Path.of("").toAbsolutePath());
  }

  @Test
  void everyQuickstartCommandWorksAndAnswersWhatTheReadmeShows() throws Exception {
    Process check = new ProcessBuilder("/bin/sh", "-c", "command -v curl").start();
    assertTrue(check.waitFor(10, TimeUnit.SECONDS) && check.exitValue() == 0,
        "curl is not installed: the README's quickstart needs it (apt-get install curl)");

    List<Step> steps = quickstart(Files.readString(readme()));
    assertTrue(steps.size() >= 8, "the quickstart has its steps: " + steps.size());
    assertTrue(steps.stream().filter(s -> s.answer() != null).count() >= 8, "and shows what they answer");

    Path state = work.resolve("shell-variables");
    Files.writeString(state, "");
    for (Step step : steps) {
      assertTrue(step.script().contains("curl "), "every bash block of the quickstart runs curl: " + step.script());
      String script = NODE_ADDRESS.matcher(step.script()).replaceAll("127.0.0.1:" + node.httpPort());
      // set -a exports every variable a block sets, and export -p hands them to the next block.
      String wrapped = "set -a\n. '" + state + "'\nset -e\n" + script + "\nexport -p > '" + state + "'\n";
      Process p = new ProcessBuilder("/bin/sh", "-c", wrapped).directory(work.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("no end within 30 s: " + script);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), "exit code of:\n" + script + "stdout: " + out + "\nstderr: " + err);
      if ("json".equals(step.answerType())) {
        Object expected = parse(step.answer(), "the README's answer to:\n" + script);
        Object actual = parse(out, "the output of:\n" + script);
        String mismatch = mismatch("$", expected, actual);
        assertTrue(mismatch == null, mismatch + "\nin the output of:\n" + script + out);
      } else if ("text".equals(step.answerType())) {
        String missing = missingLine(step.answer(), out);
        assertTrue(missing == null, "the output lacks the line '" + missing + "' (or has it out of order):\n" + script + out);
      }
    }
  }

  private static Object parse(String json, String what) {
    try {
      return Json.decodeValue(json.trim());
    } catch (DecodeException e) {
      throw new AssertionError(what + " is not JSON: " + json, e);
    }
  }

  /** Why {@code actual} does not match {@code expected} (see the class comment), or null when it does. */
  static String mismatch(String path, Object expected, Object actual) {
    if ("*".equals(expected)) {
      return actual == null ? path + " is missing" : null;
    }
    if (expected instanceof JsonObject e) {
      if (!(actual instanceof JsonObject a)) {
        return path + " should be an object, is " + actual;
      }
      for (String key : e.fieldNames()) {
        if (!a.containsKey(key)) {
          return path + "." + key + " is missing";
        }
        String m = mismatch(path + "." + key, e.getValue(key), a.getValue(key));
        if (m != null) {
          return m;
        }
      }
      return null;
    }
    if (expected instanceof JsonArray e) {
      if (!(actual instanceof JsonArray a) || a.size() != e.size()) {
        return path + " should be an array of " + e.size() + ", is " + actual;
      }
      for (int i = 0; i < e.size(); i++) {
        String m = mismatch(path + "[" + i + "]", e.getValue(i), a.getValue(i));
        if (m != null) {
          return m;
        }
      }
      return null;
    }
    if (expected instanceof Number e && actual instanceof Number a) {
      return e.doubleValue() == a.doubleValue() ? null : path + " should be " + e + ", is " + a;
    }
    return java.util.Objects.equals(expected, actual) ? null : path + " should be " + expected + ", is " + actual;
  }

  /** The first expected line not found, in order, in the output (blank lines aside), or null. */
  static String missingLine(String expected, String output) {
    String[] got = output.split("\n");
    int at = 0;
    for (String line : expected.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Pattern glob = Pattern.compile(Pattern.quote(line).replace("*", "\\E.*\\Q"));
      while (at < got.length && !glob.matcher(got[at]).matches()) {
        at++;
      }
      if (at == got.length) {
        return line;
      }
      at++;
    }
    return null;
  }

  @Test
  void theComparisonIsStrictWhereTheReadmeIsSpecific() throws IOException {
    Object readme = Json.decodeValue("{\"status\":\"UP\",\"list\":[1,{\"a\":\"*\"}]}");
    assertEquals(null, mismatch("$", readme, Json.decodeValue("{\"status\":\"UP\",\"extra\":1,\"list\":[1,{\"a\":\"x\",\"b\":2}]}")));
    assertEquals("$.status should be UP, is DOWN", mismatch("$", readme, Json.decodeValue("{\"status\":\"DOWN\",\"list\":[1,{\"a\":1}]}")));
    assertEquals("$.list[1].a is missing", mismatch("$", readme, Json.decodeValue("{\"status\":\"UP\",\"list\":[1,{}]}")));
    assertTrue(mismatch("$", readme, Json.decodeValue("{\"status\":\"UP\",\"list\":[1,{\"a\":1},3]}")).startsWith("$.list should be an array of 2"));

    assertEquals(null, missingLine("id: t/0/0\ndata: {\"ts\":*}\n", ": comment\nid: t/0/0\nevent: record\ndata: {\"ts\":17}\n"));
    assertEquals("id: t/0/0", missingLine("data: x\nid: t/0/0\n", "id: t/0/0\ndata: x\n"));
    assertEquals("404", missingLine("404\n", "4040\n"));

    List<Step> steps = quickstart("# X\n### Quickstart\n```sh\njava -jar x\n```\n```bash\ncurl a\n```\n```json\n{}\n```\n"
        + "```bash\ncurl b\n```\n### Next\n```bash\ncurl c\n```\n");
    assertEquals(List.of(new Step("curl a\n", "json", "{}\n"), new Step("curl b\n", null, null)), steps);
  }
}
