package dev.tollgate.controlplane.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Switches in a key's LiteLLM metadata that the policy pushes to sidecars (disable_fallbacks, ...). */
class KeyMetadataFlagsTest {

    @Test
    void aFlagIsOnOnlyForTrue() {
        assertTrue(PolicyCompiler.metadataFlag("{\"disable_fallbacks\":true}", "disable_fallbacks"));
        assertTrue(PolicyCompiler.metadataFlag("{\"disable_fallbacks\":\"TRUE\"}", "disable_fallbacks"));
        assertFalse(PolicyCompiler.metadataFlag("{\"disable_fallbacks\":false}", "disable_fallbacks"));
        assertFalse(PolicyCompiler.metadataFlag("{\"disable_fallbacks\":1}", "disable_fallbacks"));
        assertFalse(PolicyCompiler.metadataFlag("{}", "disable_fallbacks"));
        assertFalse(PolicyCompiler.metadataFlag("not json", "disable_fallbacks"));
        assertFalse(PolicyCompiler.metadataFlag("[true]", "disable_fallbacks"));
        assertTrue(PolicyCompiler.metadataFlag("{\"allow_debug\":true}", "allow_debug"));
    }
}
