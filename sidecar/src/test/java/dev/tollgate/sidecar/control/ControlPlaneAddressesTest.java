package dev.tollgate.sidecar.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ControlPlaneAddressesTest {

    @Test
    void aCommaSeparatedListKeepsItsOrder() {
        ControlPlaneAddresses a = ControlPlaneAddresses.parse("cp-a:4101, cp-b:4102,[::1]:4103");
        assertEquals(List.of(new ControlPlaneAddresses.HostPort("cp-a", 4101),
                new ControlPlaneAddresses.HostPort("cp-b", 4102),
                new ControlPlaneAddresses.HostPort("::1", 4103)), a.replicas());
        assertEquals("cp-a:4101,cp-b:4102,[::1]:4103", a.toString());
    }

    @Test
    void anEntryWithoutAPortSaysWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControlPlaneAddresses.parse("cp-a:4101,cp-b"));
        assertTrue(e.getMessage().contains("'cp-b'") && e.getMessage().contains("HOST:PORT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ControlPlaneAddresses.parse(" , "));
        assertThrows(IllegalArgumentException.class, () -> ControlPlaneAddresses.parse("cp-a:0"));
    }
}
