package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.api.ErrorCode;
import io.sluice.api.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeOptionsTest {

  @Test
  void badValuesAreRefusedAndLeaveTheOptionsAsTheyWere() {
    NodeOptions o = new NodeOptions().setHttpPort(9000).setStore("memory");
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(InvalidArgumentException.class, () -> o.setHttpPort(-1)).code());
    assertThrows(InvalidArgumentException.class, () -> o.setHttpPort(65536));
    assertThrows(InvalidArgumentException.class, () -> o.setStore("s3"));
    assertThrows(InvalidArgumentException.class, () -> o.setStore(null));
    assertThrows(InvalidArgumentException.class, () -> o.setDataDir(" "));
    assertThrows(InvalidArgumentException.class, () -> o.setHttpHost(null));
    assertThrows(InvalidArgumentException.class, () -> o.setShutdownTimeoutMs(-1));
    assertThrows(InvalidArgumentException.class, () -> o.setJoin(List.of("h:1", "h")));
    assertEquals(ErrorCode.INVALID_NAME, assertThrows(InvalidArgumentException.class, () -> o.setNodeId("a/b")).code());
    assertEquals(9000, o.getHttpPort());
    assertEquals("memory", o.getStore());
    assertEquals(List.of(), o.getJoin());
  }

  @Test
  void storeNamesAreNormalised() {
    assertEquals("memory", new NodeOptions().setStore(" Memory ").getStore());
  }

  @Test
  void copiesAreIndependent() {
    List<String> members = new ArrayList<>(List.of("h:1"));
    NodeOptions o = new NodeOptions().setJoin(members).setHttpPort(1);
    members.add("h:2");
    NodeOptions copy = new NodeOptions(o);
    o.setHttpPort(2);
    assertEquals(1, copy.getHttpPort());
    assertEquals(List.of("h:1"), copy.getJoin());
    assertThrows(UnsupportedOperationException.class, () -> copy.getJoin().add("h:3"));
  }
}
