package io.sluice.broker.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A deliberately dumb HTTP/1.1 client on a plain socket, one connection per request
 * ({@code Connection: close}): it sends exactly the bytes it is given (any method, any path, any body,
 * even ones a real client library would refuse to build) and reads the answer until the server closes.
 * The fuzz test uses it so that what it checks is the node's behaviour, not a client library's.
 *
 * <p>Stateless; any thread.
 */
final class RawHttp {

  /** An answer: status (-1: the connection closed before a status line), content type, body as text. */
  record Answer(int status, String contentType, String body) {
  }

  private RawHttp() {
  }

  /**
   * Sends one request and reads its answer.
   *
   * @throws SocketTimeoutException if the node does not answer within {@code timeoutMs}
   */
  static Answer send(int port, String method, String path, String contentType, byte[] body, int timeoutMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      StringBuilder head = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
      if (contentType != null) {
        head.append("Content-Type: ").append(contentType).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      OutputStream out = s.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
          out.write(body);
        }
        out.flush();
      } catch (IOException e) {
        // The node may answer and close before it has read a body it refuses (over its limit): read that answer.
      }
      return parse(readAll(s.getInputStream()), method.equals("HEAD"));
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      // reset after the answer (the node closed with a request body unread): keep what arrived
    }
    return all.toByteArray();
  }

  private static Answer parse(byte[] raw, boolean head) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.") || end < 0) {
      return new Answer(-1, null, text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String contentType = null;
    int length = -1;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      if (name.equals("content-type")) {
        contentType = value;
      } else if (name.equals("content-length")) {
        length = Integer.parseInt(value);
      }
    }
    int from = end + 4;
    int to = head ? from : length >= 0 ? Math.min(raw.length, from + length) : raw.length;
    return new Answer(status, contentType, new String(raw, from, to - from, StandardCharsets.UTF_8));
  }
}
